/**
 * Importing the Python ancestor's `illumio_api_config.json`: the public face
 * of the legacy-*.ts modules.
 *
 * - convertLegacyConfig (pure): legacy JSON → ConfigFile + changes + warnings
 * - importLegacy: read, convert, write the config and the 0600 secret files
 * - importLegacyCommand: the `import-legacy <file>` verb, mounted under `config`
 */
export type { LegacyChange, LegacyImport } from './legacy-report.js';
export { convertLegacyConfig, type ConvertOptions } from './legacy-convert.js';
export { importLegacy, DEFAULT_PASSWORD_FILE, DEFAULT_SECRET_FILE, type ImportOptions } from './legacy-import.js';
export { legacySecrets } from './legacy-settings.js';
export { importLegacyCommand, importText } from './legacy-command.js';

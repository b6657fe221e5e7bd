/**
 * convertLegacyConfig: the Python ancestor's `illumio_api_config.json` (its
 * `api`, `email` and `rules` blocks, and the later versions' `smtp`,
 * `settings` and `alerts`) → our ConfigFile, listing every repair and every
 * dropped field. Pure: it reads and writes nothing; secrets are referenced by
 * file name and never copied into the result.
 */
import { ConfigError } from '../errors.js';
import type { ConfigFile } from '../types.js';
import { validateConfig } from './load.js';
import { convertRules } from './legacy-rules.js';
import { convertEmail, convertPce, type SecretFileNames } from './legacy-settings.js';
import { dropUnknownKeys, isObject, isUnset, LegacyReport, type LegacyImport, type Loose } from './legacy-report.js';

export interface ConvertOptions {
  /** File name (relative to the new config's folder) the API secret goes to. */
  secretFileName: string;
  /** Likewise for the SMTP password. Default `smtp-password`. */
  passwordFileName?: string;
  /** How the legacy file is named in error messages. */
  source?: string;
}

const TOP_KEYS = ['api', 'email', 'smtp', 'rules', 'settings', 'alerts'];
const SETTINGS_KEYS = ['enable_health_check', 'language'];

export function convertLegacyConfig(legacy: unknown, options: ConvertOptions): LegacyImport {
  const source = options.source ?? 'the legacy config';
  const names: SecretFileNames = { secretFileName: options.secretFileName, passwordFileName: options.passwordFileName ?? 'smtp-password' };
  const report = new LegacyReport();

  if (!isObject(legacy) || !isObject(legacy.api)) {
    report.problem('/api', 'is missing: this is not an illumio_monitor.py config (illumio_api_config.json has api, email and rules blocks)');
    report.throwIfProblems(source);
  }
  const data = legacy as Loose & { api: Loose };

  dropUnknownKeys(data, TOP_KEYS, '', report);
  const pce = convertPce(data.api, names, report);
  const email = convertEmail(data, names, report);
  const settings = convertSettings(data.settings, report);
  dropAlerts(data.alerts, report);

  const config: ConfigFile = { pce, email, rules: convertRules(data.rules, settings.health, report) };
  if (settings.language) config.email.language = settings.language;

  report.warn('the legacy state file (checkpoint and counts) is not imported: the first run reads back monitor.firstRunLookbackMinutes (default 60)');
  report.throwIfProblems(source);
  checkResult(config, source);
  return { config, changes: report.changes, warnings: report.warnings };
}

function convertSettings(value: unknown, report: LegacyReport): { health: boolean; language?: 'en' | 'zh-TW' } {
  if (isUnset(value)) return { health: true };
  if (!isObject(value)) {
    report.problem('/settings', 'must be an object');
    return { health: true };
  }

  dropUnknownKeys(value, SETTINGS_KEYS, '/settings', report);
  const health = value.enable_health_check !== false;
  if (!health) report.change('/settings/enable_health_check', 'false: no PCE health rule was added');

  const language = typeof value.language === 'string' ? value.language.trim() : '';
  if (/^zh/i.test(language)) {
    report.change('/settings/language', `'${language}' moved to email.language as zh-TW`);
    return { health, language: 'zh-TW' };
  }
  if (language !== '' && !/^en/i.test(language)) report.change('/settings/language', `dropped '${language}': email is written in en or zh-TW`);
  return { health };
}

/** LINE and webhook channels are not supported; their tokens are never copied or shown. */
function dropAlerts(value: unknown, report: LegacyReport): void {
  if (isUnset(value)) return;
  report.change('/alerts', 'dropped: only email alerts are supported (LINE and webhook settings, including their tokens, were not copied)');

  const active = isObject(value) && Array.isArray(value.active) ? value.active : undefined;
  if (active && !active.includes('mail')) report.warn('mail was not among the legacy alert channels; illumio-monitor always sends email');
}

/** Our own output must validate; if it does not, that is a bug here, reported with every path. */
function checkResult(config: ConfigFile, source: string): void {
  const problems = validateConfig(config);
  if (problems.length === 0) return;
  throw new ConfigError(`the config converted from ${source}`, problems, 'Fix these in the legacy file and run import-legacy again; nothing was written.');
}

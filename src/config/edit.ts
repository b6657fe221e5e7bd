/**
 * Read-modify-write of the config file for `config set` and `rules ...`.
 * The file is only parsed, not validated, before the change (so an edit
 * can repair it); the result is validated as a whole before it is written.
 */
import { ConfigError } from '../errors.js';
import type { ConfigFile, Rule } from '../types.js';
import { readConfigRaw, writeConfigFile } from './read.js';

export type Loose = Record<string, unknown>;

/** Apply `change` to the parsed config and write it back only if the result is valid. */
export async function editConfig<T>(file: string, change: (data: Loose) => T): Promise<T> {
  const data = await readConfigRaw(file);
  if (!isObject(data)) throw new ConfigError(file, [{ path: '', message: 'must be a JSON object' }], 'Nothing was written.');

  const result = change(data);
  await writeConfigFile(file, data as unknown as ConfigFile);
  return result;
}

/** The rule list of a parsed config, created empty if absent. */
export function rulesOf(file: string, data: Loose): Rule[] {
  if (data.rules === undefined) data.rules = [];
  if (!Array.isArray(data.rules)) {
    throw new ConfigError(file, [{ path: '/rules', message: 'must be an array (a JSON list)' }], 'Fix it by hand; nothing was written.');
  }
  return data.rules as Rule[];
}

export function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

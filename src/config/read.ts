/**
 * Reading and writing the config file. A file that cannot be parsed is never
 * overwritten, and nothing invalid is ever written: every write validates
 * first and goes through writeFileAtomic with mode 0600.
 */
import { promises as fs } from 'node:fs';
import { ConfigError, type ConfigProblem } from '../errors.js';
import type { ConfigFile } from '../types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { findJsonFault } from './json-error.js';
import { validateConfig } from './validate.js';

const INIT_HINT = 'Create one with: illumio-monitor config init (or point --config or $ILLUMIO_MONITOR_CONFIG at it)';

/** A config file that cannot be read or parsed at all (exit 2 like any ConfigError). */
export class ConfigFileError extends ConfigError {
  override name = 'ConfigFileError';
  override readonly code: string;

  constructor(file: string, code: string, message: string, problems: ConfigProblem[], hint?: string) {
    super(file, problems, hint);
    this.code = code;
    this.message = message;
  }
}

/** Parse and validate; every problem is listed in one ConfigError. */
export async function readConfigFile(file: string): Promise<ConfigFile> {
  const data = await readConfigRaw(file);
  const problems = validateConfig(data);
  if (problems.length > 0) {
    throw new ConfigError(file, problems, `Fix these, then check with: illumio-monitor config validate --config ${file}`);
  }
  return data as ConfigFile;
}

/** Parse only: for edits that may repair a config that does not validate yet. */
export async function readConfigRaw(file: string): Promise<unknown> {
  return parseConfigText(file, await readConfigText(file));
}

async function readConfigText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigFileError(file, 'CONFIG_NOT_FOUND', `config file ${file} does not exist`, [{ path: '', message: 'the file does not exist' }], INIT_HINT);
    }
    const problem = { path: '', message: `cannot be read (${code ?? 'error'})` };
    throw new ConfigFileError(file, 'CONFIG_UNREADABLE', `config file ${file} cannot be read (${code ?? 'error'})`, [problem], 'Check the path and its permissions.');
  }
}

/**
 * JSON.parse, and on failure the line, column and reason. V8's own message
 * is not repeated: it can quote the file, and the file can hold a secret.
 */
export function parseConfigText(file: string, text: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') {
    throw new ConfigFileError(file, 'CONFIG_SYNTAX', `config file ${file} is empty`, [{ path: '', message: 'the file is empty' }], INIT_HINT);
  }

  try {
    return JSON.parse(body);
  } catch {
    const fault = findJsonFault(body) ?? { offset: body.length, reason: 'not valid JSON' };
    const { line, column } = lineAndColumn(body, fault.offset);
    const what = `not valid JSON at line ${line}, column ${column}: ${fault.reason}`;
    throw new ConfigFileError(
      file,
      'CONFIG_SYNTAX',
      `config file ${file} is ${what}`,
      [{ path: '', message: what }],
      'Fix the JSON by hand; the file was not changed.',
    );
  }
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** Validate, refuse to replace an unparseable file, then write atomically (0600, previous kept as .bak). */
export async function writeConfigFile(file: string, data: ConfigFile): Promise<void> {
  const problems = validateConfig(data);
  if (problems.length > 0) throw new ConfigError(`the changed ${file}`, problems, 'Nothing was written.');

  await refuseBrokenTarget(file);
  await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, backup: true });
}

async function refuseBrokenTarget(file: string): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  // Throws CONFIG_SYNTAX: a file we cannot read back may hold work we would lose.
  parseConfigText(file, text);
}

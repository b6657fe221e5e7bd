/**
 * importLegacy: read the Python ancestor's config, convert it, and write the
 * new config (validated, atomic, 0600) with the secrets in their own 0600
 * files beside it. Nothing is written unless every target may be written:
 * existing files are replaced only with `force`, and never the legacy file.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EXIT, MonitorError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { writeConfigFile } from './load.js';
import { lineAndColumn } from './read.js';
import { convertLegacyConfig } from './legacy-convert.js';
import type { LegacyImport } from './legacy-report.js';
import { legacySecrets } from './legacy-settings.js';

export interface ImportOptions {
  /** The new config file. */
  out: string;
  /** Replace an existing config and secret files (the old config is kept as .bak). */
  force: boolean;
  /** Default `pce-secret`. */
  secretFileName?: string;
  /** Default `smtp-password`. */
  passwordFileName?: string;
  /** Convert and check only; write nothing. */
  dryRun?: boolean;
}

export const DEFAULT_SECRET_FILE = 'pce-secret';
export const DEFAULT_PASSWORD_FILE = 'smtp-password';

export async function importLegacy(file: string, options: ImportOptions): Promise<LegacyImport & { wrote: string[] }> {
  const source = path.resolve(file);
  const out = path.resolve(options.out);
  const legacy = parseLegacy(source, await readLegacy(source));

  const result = convertLegacyConfig(legacy, {
    secretFileName: options.secretFileName ?? DEFAULT_SECRET_FILE,
    passwordFileName: options.passwordFileName ?? DEFAULT_PASSWORD_FILE,
    source,
  });

  const secrets = secretWrites(result, out, legacy);
  const targets = [out, ...secrets.map((s) => s.file)];
  await checkTargets(source, targets, options.force);
  if (options.dryRun) return { ...result, wrote: [] };

  await fs.mkdir(path.dirname(out), { recursive: true, mode: 0o700 });
  for (const s of secrets) await writeFileAtomic(s.file, `${s.value}\n`, { mode: 0o600 });
  // Last, so the config never names a secret file that is not there yet.
  await writeConfigFile(out, result.config);
  return { ...result, wrote: targets };
}

async function readLegacy(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const what = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`;
    throw new MonitorError('LEGACY_UNREADABLE', `legacy config ${file} ${what}`, {
      exitCode: EXIT.usage,
      hint: 'Give the path of the Python tool\'s illumio_api_config.json.',
    });
  }
}

/** JSON.parse with a line and column; V8's text is not repeated, since it can quote a secret. */
function parseLegacy(file: string, text: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  const hint = 'Fix the JSON by hand (the Python tool wrote valid JSON, so the file was probably edited or cut short); nothing was written.';
  if (body.trim() === '') throw new MonitorError('LEGACY_SYNTAX', `legacy config ${file} is empty`, { exitCode: EXIT.usage, hint });

  try {
    return JSON.parse(body);
  } catch (err) {
    const match = /position (\d+)/.exec(err instanceof Error ? err.message : '');
    const offset = match ? Number(match[1]) : body.length;
    const { line, column } = lineAndColumn(body, offset);
    const cutShort = offset >= body.trimEnd().length;
    const what = cutShort ? `not valid JSON: it ends too early (line ${line}, column ${column})` : `not valid JSON at line ${line}, column ${column}`;
    throw new MonitorError('LEGACY_SYNTAX', `legacy config ${file} is ${what}`, { exitCode: EXIT.usage, hint });
  }
}

interface SecretWrite {
  file: string;
  value: string;
}

/** The secret files the converted config refers to, with the values from the legacy file. */
function secretWrites(result: LegacyImport, out: string, legacy: unknown): SecretWrite[] {
  const dir = path.dirname(out);
  const values = legacySecrets(legacy);
  const writes: SecretWrite[] = [];

  const { apiSecretFile } = result.config.pce;
  if (apiSecretFile && values.apiSecret) writes.push({ file: path.resolve(dir, apiSecretFile), value: values.apiSecret });

  const { passwordFile } = result.config.email.smtp;
  if (passwordFile && values.smtpPassword) writes.push({ file: path.resolve(dir, passwordFile), value: values.smtpPassword });
  return writes;
}

async function checkTargets(source: string, targets: string[], force: boolean): Promise<void> {
  for (const target of targets) {
    if (target === source) {
      throw new MonitorError('LEGACY_SAME_FILE', `refusing to write ${target}: it is the legacy file being imported`, {
        exitCode: EXIT.usage,
        hint: 'Choose another --out (or --config) path for the new config.',
      });
    }
    if (!force && (await exists(target))) {
      throw new MonitorError('TARGET_EXISTS', `${target} already exists; refusing to overwrite it (nothing was written)`, {
        exitCode: EXIT.usage,
        hint: 'Give --force to replace it (a replaced config is kept as .bak), or choose another --out path.',
      });
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}

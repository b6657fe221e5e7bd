/**
 * Secrets: where they come from (environment, then file, then the config
 * itself), refusing secret files others can read, and the lists used to
 * scrub and mask them.
 */
import { promises as fs } from 'node:fs';
import { EXIT, MonitorError, type ConfigProblem } from '../errors.js';
import type { ConfigFile, ResolvedConfig } from '../types.js';

export const MASK = '***';

/** Read a secret file: it must exist, be private (no group/other bits) and not be empty. */
export async function readSecretFile(file: string, what: string): Promise<string> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw secretError('SECRET_FILE_MISSING', `${what} file ${file} cannot be read (${code})`, `Create it with: install -m 600 /dev/null ${file}, then put the secret in it.`);
  }

  if (!stat.isFile()) throw secretError('SECRET_FILE_MISSING', `${what} file ${file} is not a regular file`, 'Point the setting at the file that holds the secret.');

  // Group- or world-writable is refused too: someone else could swap the secret.
  if ((stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw secretError('SECRET_FILE_PERMISSIONS', `${what} file ${file} is accessible by group or others (mode ${mode}); refusing to use it`, `Run: chmod 600 ${file}`);
  }

  const value = (await fs.readFile(file, 'utf8')).replace(/(\r?\n)+$/, '');
  if (value === '') throw secretError('SECRET_FILE_EMPTY', `${what} file ${file} is empty`, `Put the secret in ${file} (one line).`);
  return value;
}

/** The same check as a problem line, for `config validate`. */
export async function secretFileProblem(file: string, what: string, path: string): Promise<ConfigProblem | undefined> {
  try {
    await readSecretFile(file, what);
    return undefined;
  } catch (err) {
    if (!(err instanceof MonitorError)) throw err;
    return { path, message: `${err.message}. ${err.hint ?? ''}`.trim() };
  }
}

function secretError(code: string, message: string, hint: string): MonitorError {
  return new MonitorError(code, message, { exitCode: EXIT.usage, hint });
}

/**
 * Every form a secret can take on the wire or in an error: the value, its
 * URL encoding, and the Base64 of HTTP Basic and SMTP AUTH PLAIN/LOGIN.
 */
export function secretsOf(cfg: ResolvedConfig): string[] {
  const out = new Set<string>();
  const add = (s: string | undefined) => s && out.add(s);
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

  const secret = cfg.pce.apiSecret;
  add(secret);
  add(encodeURIComponent(secret));
  add(b64(`${cfg.pce.apiKey}:${secret}`));

  const { user, password } = cfg.email.smtp;
  if (password) {
    add(password);
    add(encodeURIComponent(password));
    add(b64(password));
    add(b64(`\u0000${user ?? ''}\u0000${password}`));
  }
  return [...out].filter((s) => s.length >= 4);
}

/**
 * A copy for display: secret values replaced by `***`, file paths kept.
 * Masks by key name at any depth, so a secret under a misspelt key (shown
 * by `config show` on a config that does not validate) is hidden too.
 */
export function maskConfig(cfg: ConfigFile): ConfigFile {
  return maskValue(cfg) as ConfigFile;
}

const SECRET_KEY = /secret|password|passwd|token/i;

function maskValue(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => maskValue(v, key));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v, k)]));
  }
  const isSecret = SECRET_KEY.test(key) && !/file$/i.test(key);
  return isSecret && value !== undefined && value !== null ? MASK : value;
}

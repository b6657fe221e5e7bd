/**
 * Doctor, local part: the config parses and validates, and the secrets can
 * be found where the config says (files private, mode 0600). Nothing here
 * touches the network; the secret values are never part of a result.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Env } from '../context.js';
import { ConfigError, MonitorError, errorMessage } from '../errors.js';
import { SECRET_ENV } from '../config/defaults.js';
import { loadConfig } from '../config/load.js';
import { readConfigFile } from '../config/read.js';
import { readSecretFile } from '../config/secrets.js';
import { placeholderProblems } from '../config/template.js';
import type { ConfigFile, ResolvedConfig } from '../types.js';
import { fail, pass, skip, warn, type CheckResult } from './check.js';

export interface ConfigCheckOutcome {
  checks: CheckResult[];
  /** The config as written, when it validated. */
  raw?: ConfigFile;
  /** With defaults, paths and secrets, when everything needed was found. */
  resolved?: ResolvedConfig;
}

const VALIDATE_HINT = 'see every problem with: illumio-monitor config validate';

export async function checkConfig(file: string, env: Env): Promise<ConfigCheckOutcome> {
  const parsed = await parseConfig(file);
  if (!parsed.raw) return { checks: [parsed.check] };

  const raw = parsed.raw;
  const dir = path.dirname(file);
  const checks = [parsed.check, await pceSecretCheck(raw, dir, env), await smtpSecretCheck(raw, dir, env)];
  if (checks.some((c) => c.status === 'fail')) return { checks, raw };

  try {
    return { checks, raw, resolved: await loadConfig(file, env) };
  } catch (err) {
    checks.push(fail('config', `cannot load ${file}: ${errorMessage(err)}`, VALIDATE_HINT));
    return { checks, raw };
  }
}

async function parseConfig(file: string): Promise<{ check: CheckResult; raw?: ConfigFile }> {
  let raw: ConfigFile;
  try {
    raw = await readConfigFile(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { check: fail('config', problemText(file, err), err.hint?.startsWith('Create') ? err.hint : VALIDATE_HINT) };
  }

  const placeholders = placeholderProblems(raw);
  if (placeholders.length > 0) {
    const first = placeholders[0]!;
    return { check: fail('config', `${file}: ${first.path} ${first.message}${more(placeholders.length)}`, VALIDATE_HINT) };
  }

  const enabled = raw.rules.filter((r) => r.enabled !== false).length;
  const check = pass('config', `${file} is valid (${raw.rules.length} rules, ${enabled} enabled)`);
  return { check: await modeWarning(file, raw) ?? check, raw };
}

function problemText(file: string, err: ConfigError): string {
  const first = err.problems[0];
  if (!first || (err.problems.length === 1 && first.path === '')) return err.message.split('\n')[0]!;
  return `${file} is not valid: ${first.path || '/'}: ${first.message}${more(err.problems.length)}`;
}

function more(n: number): string {
  return n > 1 ? ` (and ${n - 1} more)` : '';
}

/** A config that holds a secret itself must not be readable by others. */
async function modeWarning(file: string, raw: ConfigFile): Promise<CheckResult | undefined> {
  if (raw.pce.apiSecret === undefined && raw.email.smtp.password === undefined) return undefined;
  const mode = (await fs.stat(file)).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return warn('config', `${file} holds a secret and has mode ${mode.toString(8).padStart(4, '0')}`, `chmod 600 ${file}`);
}

async function pceSecretCheck(raw: ConfigFile, dir: string, env: Env): Promise<CheckResult> {
  if (env[SECRET_ENV.pce]) return pass('pce-secret', `from ${SECRET_ENV.pce}`);
  if (raw.pce.apiSecretFile !== undefined) {
    return secretFileCheck('pce-secret', path.resolve(dir, raw.pce.apiSecretFile), 'PCE API secret');
  }
  if (raw.pce.apiSecret !== undefined) {
    return warn('pce-secret', 'pce.apiSecret is stored in the config file itself', 'move it to a file of mode 0600 named by pce.apiSecretFile, or use ILLUMIO_API_SECRET');
  }
  return fail('pce-secret', 'no PCE API secret configured', `set ${SECRET_ENV.pce}, or pce.apiSecretFile (a file of mode 0600)`);
}

async function smtpSecretCheck(raw: ConfigFile, dir: string, env: Env): Promise<CheckResult> {
  const { user, password, passwordFile } = raw.email.smtp;
  if (env[SECRET_ENV.smtp]) return pass('smtp-secret', `from ${SECRET_ENV.smtp}`);
  if (passwordFile !== undefined) return secretFileCheck('smtp-secret', path.resolve(dir, passwordFile), 'SMTP password');
  if (password !== undefined) {
    return warn('smtp-secret', 'email.smtp.password is stored in the config file itself', 'move it to a file of mode 0600 named by email.smtp.passwordFile, or use ILLUMIO_SMTP_PASSWORD');
  }
  if (user !== undefined) {
    return fail('smtp-secret', `email.smtp.user ${user} is set but no password is`, `set ${SECRET_ENV.smtp}, or email.smtp.passwordFile (a file of mode 0600)`);
  }
  return skip('smtp-secret', 'no SMTP login configured (email.smtp.user not set)');
}

async function secretFileCheck(id: string, file: string, what: string): Promise<CheckResult> {
  try {
    await readSecretFile(file, what);
    return pass(id, `${file} exists, is private and not empty`);
  } catch (err) {
    if (!(err instanceof MonitorError)) throw err;
    return fail(id, err.message, err.hint);
  }
}

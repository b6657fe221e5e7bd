/**
 * loadConfig: read and validate the file, apply the documented defaults,
 * resolve relative paths against the config file's folder (cron starts in
 * HOME, so never the working directory) and fetch the secrets.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Env } from '../context.js';
import { ConfigError, EXIT, MonitorError } from '../errors.js';
import type { ConfigFile, ResolvedConfig, ResolvedSmtp } from '../types.js';
import { DEFAULT_EMAIL, DEFAULT_FILES, DEFAULT_MONITOR, DEFAULT_PCE, DEFAULT_SMTP, SECRET_ENV } from './defaults.js';
import { readConfigFile } from './read.js';
import { readSecretFile } from './secrets.js';
import { placeholderProblems } from './template.js';

export { DEFAULT_MONITOR } from './defaults.js';
export { readConfigFile, readConfigRaw, writeConfigFile } from './read.js';
export { maskConfig, secretsOf } from './secrets.js';
export { validateConfig } from './validate.js';

export const NO_PCE_SECRET =
  `no PCE API secret: set the ${SECRET_ENV.pce} environment variable, or pce.apiSecretFile (a file of mode 0600), or pce.apiSecret`;

export async function loadConfig(file: string, env: Env): Promise<ResolvedConfig> {
  const abs = path.resolve(file);
  const cfg = await readConfigFile(abs);

  const placeholders = placeholderProblems(cfg);
  if (placeholders.length > 0) {
    throw new ConfigError(abs, placeholders, 'Fill them in with: illumio-monitor config set KEY VALUE');
  }

  const dir = path.dirname(abs);
  const apiSecret = await pceSecret(abs, cfg, dir, env);
  const password = await smtpPassword(abs, cfg, dir, env);

  return {
    file: abs,
    pce: {
      url: cfg.pce.url.replace(/\/+$/, ''),
      orgId: cfg.pce.orgId,
      apiKey: cfg.pce.apiKey,
      apiSecret,
      caFile: inDir(dir, cfg.pce.caFile),
      verifyTls: cfg.pce.verifyTls ?? DEFAULT_PCE.verifyTls,
      timeoutMs: seconds(cfg.pce.timeoutSeconds ?? DEFAULT_PCE.timeoutSeconds),
    },
    email: {
      from: cfg.email.from,
      to: [...cfg.email.to],
      subjectPrefix: cfg.email.subjectPrefix ?? DEFAULT_EMAIL.subjectPrefix,
      language: cfg.email.language ?? DEFAULT_EMAIL.language,
      timeZone: cfg.email.timeZone ?? DEFAULT_EMAIL.timeZone,
      csvMaxRows: cfg.email.csvMaxRows ?? DEFAULT_EMAIL.csvMaxRows,
      smtp: resolveSmtp(cfg.email.smtp, dir, password),
    },
    rules: cfg.rules,
    stateFile: path.resolve(dir, cfg.stateFile ?? DEFAULT_FILES.stateFile),
    logDir: path.resolve(dir, cfg.logDir ?? DEFAULT_FILES.logDir),
    logMaxBytes: cfg.logMaxBytes ?? DEFAULT_FILES.logMaxBytes,
    logMaxFiles: cfg.logMaxFiles ?? DEFAULT_FILES.logMaxFiles,
    monitor: { ...DEFAULT_MONITOR, ...cfg.monitor },
  };
}

function resolveSmtp(smtp: ConfigFile['email']['smtp'], dir: string, password: string | undefined): ResolvedSmtp {
  return {
    host: smtp.host,
    port: smtp.port ?? DEFAULT_SMTP.port,
    secure: smtp.secure ?? DEFAULT_SMTP.secure,
    starttls: smtp.starttls ?? DEFAULT_SMTP.starttls,
    user: smtp.user,
    password,
    caFile: inDir(dir, smtp.caFile),
    verifyTls: smtp.verifyTls ?? DEFAULT_SMTP.verifyTls,
    ehloName: smtp.ehloName,
    connectionTimeoutMs: seconds(smtp.connectionTimeoutSeconds ?? DEFAULT_SMTP.connectionTimeoutSeconds),
    greetingTimeoutMs: seconds(smtp.greetingTimeoutSeconds ?? DEFAULT_SMTP.greetingTimeoutSeconds),
    socketTimeoutMs: seconds(smtp.socketTimeoutSeconds ?? DEFAULT_SMTP.socketTimeoutSeconds),
  };
}

/** The environment wins, then the secret file, then the value in the config. */
async function pceSecret(file: string, cfg: ConfigFile, dir: string, env: Env): Promise<string> {
  const fromEnv = env[SECRET_ENV.pce];
  if (fromEnv) return fromEnv;
  if (cfg.pce.apiSecretFile !== undefined) return readSecretFile(path.resolve(dir, cfg.pce.apiSecretFile), 'PCE API secret');
  if (cfg.pce.apiSecret !== undefined) {
    await assertPrivateConfig(file, 'pce.apiSecret');
    return cfg.pce.apiSecret;
  }

  throw new ConfigError(file, [{ path: '/pce/apiSecretFile', message: NO_PCE_SECRET }], 'Keep the secret out of the config: a 0600 file or the environment variable.');
}

async function smtpPassword(file: string, cfg: ConfigFile, dir: string, env: Env): Promise<string | undefined> {
  const fromEnv = env[SECRET_ENV.smtp];
  if (fromEnv) return fromEnv;
  const { passwordFile, password } = cfg.email.smtp;
  if (passwordFile !== undefined) return readSecretFile(path.resolve(dir, passwordFile), 'SMTP password');
  if (password !== undefined) await assertPrivateConfig(file, 'email.smtp.password');
  return password;
}

/**
 * A secret kept in the config itself is held to the rule of secret files:
 * a config others can read or write is refused while it holds one.
 */
async function assertPrivateConfig(file: string, key: string): Promise<void> {
  const mode = (await fs.stat(file)).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  throw new MonitorError(
    'SECRET_IN_SHARED_CONFIG',
    `${file} holds a secret (${key}) and is accessible by group or others (mode ${mode.toString(8).padStart(4, '0')}); refusing to use it`,
    { exitCode: EXIT.usage, hint: `Run: chmod 600 ${file} (better: move the secret to a 0600 file and point ${key}File at it)` },
  );
}

function inDir(dir: string, file: string | undefined): string | undefined {
  return file === undefined ? undefined : path.resolve(dir, file);
}

function seconds(s: number): number {
  return Math.round(s * 1000);
}

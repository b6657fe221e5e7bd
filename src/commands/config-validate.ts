/**
 * `config validate`: everything `run` would refuse, listed at once with
 * paths: schema and semantic problems, placeholders left by `config init`,
 * missing or unsafe secret files and CA files that do not exist.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Env } from '../context.js';
import { SECRET_ENV } from '../config/defaults.js';
import { NO_PCE_SECRET } from '../config/load.js';
import { readConfigRaw } from '../config/read.js';
import { secretFileProblem } from '../config/secrets.js';
import { placeholderProblems } from '../config/template.js';
import { validateConfig } from '../config/validate.js';
import { ConfigError, type ConfigProblem } from '../errors.js';
import type { ConfigFile } from '../types.js';
import { configPath, ok, verb } from './common.js';

export const configValidateCommand = verb({
  command: 'validate',
  describe: 'Check the config, its secret files and CA files; exit 2 listing every problem',
  builder: (y) =>
    y
      .example('$0 config validate', 'exit 0 and "config OK: N rules" when all is well')
      .example('$0 config validate --json --config /etc/illumio-monitor/config.json', 'problems as JSON for CI'),
  handler: async (args, ctx) => {
    const file = configPath(args, ctx.env);
    const data = await readConfigRaw(file);

    let problems = validateConfig(data);
    if (problems.length === 0) problems = await readinessProblems(file, data as ConfigFile, ctx.env);
    if (problems.length > 0) throw new ConfigError(file, problems, 'Fix these, then run config validate again.');

    const warnings = await warningsOf(file, data as ConfigFile);
    for (const w of warnings) ctx.log.warn(w);

    const cfg = data as ConfigFile;
    const enabled = cfg.rules.filter((r) => r.enabled !== false).length;
    return ok(`config OK: ${cfg.rules.length} rules (${enabled} enabled)`, { ok: true, file, rules: cfg.rules.length, enabled, warnings });
  },
});

/** What only shows up outside the file: placeholders, secrets, CA files. */
async function readinessProblems(file: string, cfg: ConfigFile, env: Env): Promise<ConfigProblem[]> {
  const dir = path.dirname(file);
  const problems = placeholderProblems(cfg);
  const add = (p: ConfigProblem | undefined) => p && problems.push(p);

  // The environment wins over the files, so a file it overrides is not checked.
  if (!env[SECRET_ENV.pce]) {
    if (cfg.pce.apiSecretFile !== undefined) {
      add(await secretFileProblem(path.resolve(dir, cfg.pce.apiSecretFile), 'PCE API secret', '/pce/apiSecretFile'));
    } else if (cfg.pce.apiSecret === undefined) {
      add({ path: '/pce/apiSecretFile', message: NO_PCE_SECRET });
    }
  }
  if (!env[SECRET_ENV.smtp] && cfg.email.smtp.passwordFile !== undefined) {
    add(await secretFileProblem(path.resolve(dir, cfg.email.smtp.passwordFile), 'SMTP password', '/email/smtp/passwordFile'));
  }

  // As run does: a secret used from the config itself needs a private config.
  const inline =
    (!env[SECRET_ENV.pce] && cfg.pce.apiSecretFile === undefined && cfg.pce.apiSecret !== undefined) ||
    (!env[SECRET_ENV.smtp] && cfg.email.smtp.passwordFile === undefined && cfg.email.smtp.password !== undefined);
  if (inline && ((await fs.stat(file)).mode & 0o077) !== 0) {
    add({ path: '/', message: `${file} holds a secret and is accessible by group or others; run: chmod 600 ${file}` });
  }

  add(await caFileProblem(dir, cfg.pce.caFile, '/pce/caFile'));
  add(await caFileProblem(dir, cfg.email.smtp.caFile, '/email/smtp/caFile'));
  return problems;
}

async function caFileProblem(dir: string, caFile: string | undefined, at: string): Promise<ConfigProblem | undefined> {
  if (caFile === undefined) return undefined;
  const full = path.resolve(dir, caFile);
  const readable = await fs.access(full).then(() => true, () => false);
  return readable ? undefined : { path: at, message: `${full} does not exist or cannot be read` };
}

async function warningsOf(file: string, cfg: ConfigFile): Promise<string[]> {
  const warnings: string[] = [];
  if (cfg.pce.verifyTls === false) warnings.push('pce.verifyTls is false: anyone on the path can read the API secret; set pce.caFile instead');
  if (cfg.email.smtp.verifyTls === false) warnings.push('email.smtp.verifyTls is false; prefer email.smtp.caFile');

  const holdsSecret = cfg.pce.apiSecret !== undefined || cfg.email.smtp.password !== undefined;
  if (holdsSecret) warnings.push('the config holds a secret; prefer pce.apiSecretFile / email.smtp.passwordFile or the environment');
  return warnings;
}

/**
 * `config init`: write a starter config (mode 0600) with the default rules.
 * Settings not given as flags get placeholders that `config validate` and
 * `run` refuse until they are filled in; the output says what to fill in.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeConfigFile } from '../config/read.js';
import { secretFileProblem } from '../config/secrets.js';
import { fillCommand, placeholderProblems, starterConfig } from '../config/template.js';
import { SECRET_ENV } from '../config/defaults.js';
import { UsageError } from '../errors.js';
import { configPath, ok, verb } from './common.js';

export const configInitCommand = verb({
  command: 'init',
  describe: 'Write a starter config (mode 0600) with the default rules; refuses to overwrite without --force',
  builder: (y) =>
    y
      .option('pce-url', { type: 'string', describe: 'PCE base URL, e.g. https://pce.example.com:8443' })
      .option('org-id', { type: 'string', describe: 'PCE organisation id (a whole number, usually 1)' })
      .option('api-key', { type: 'string', describe: 'API key username, e.g. api_1a2b3c4d5e6f7a8b9' })
      .option('api-secret-file', { type: 'string', describe: 'File holding the API secret (mode 0600), relative to the config folder' })
      .option('email-from', { type: 'string', describe: 'Sender address of alert email' })
      .option('email-to', { type: 'string', array: true, describe: 'Recipient (repeatable, or a comma list)' })
      .option('smtp-host', { type: 'string', describe: 'SMTP server (default localhost)' })
      .option('smtp-port', { type: 'string', describe: 'SMTP port (default 25)' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing config (the old one is kept as .bak)' })
      .example('$0 config init', 'a template with placeholders to fill in')
      .example(
        '$0 config init --pce-url https://pce.example.com:8443 --org-id 1 --api-key api_1a2b3c4d5e6f7a8b9 --api-secret-file pce-secret --email-from monitor@example.com --email-to soc@example.com',
        'a complete config in one step',
      ),
  handler: async (args, ctx) => {
    const file = configPath(args, ctx.env);
    await refuseExisting(file, args.force);

    const config = starterConfig({
      pceUrl: args.pceUrl,
      orgId: args.orgId === undefined ? undefined : wholeNumber('--org-id', args.orgId),
      apiKey: args.apiKey,
      apiSecretFile: args.apiSecretFile,
      emailFrom: args.emailFrom,
      emailTo: args.emailTo?.flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean),
      smtpHost: args.smtpHost,
      smtpPort: args.smtpPort === undefined ? undefined : wholeNumber('--smtp-port', args.smtpPort),
    });

    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeConfigFile(file, config);

    const todo = placeholderProblems(config).map((p) => `${p.path.slice(1).replaceAll('/', '.')}: ${fillCommand(p.path)}`);
    if (config.pce.apiSecretFile === undefined) {
      todo.push(`PCE API secret: put it in a file (chmod 600) and run illumio-monitor config set pce.apiSecretFile FILE, or set ${SECRET_ENV.pce}`);
    } else {
      const problem = await secretFileProblem(path.resolve(path.dirname(file), config.pce.apiSecretFile), 'PCE API secret', '/pce/apiSecretFile');
      if (problem && !ctx.env[SECRET_ENV.pce]) todo.push(`${problem.path}: ${problem.message}`);
    }

    const lines = [`Wrote ${file} (mode 0600) with ${config.rules.length} default rules.`];
    if (todo.length > 0) lines.push('Still to fill in:', ...todo.map((t) => `  ${t}`));
    lines.push('Then check it with: illumio-monitor config validate');
    return ok(lines.join('\n'), { ok: true, file, rules: config.rules.map((r) => r.id), todo });
  },
});

async function refuseExisting(file: string, force: boolean): Promise<void> {
  const exists = await fs.stat(file).then(() => true, () => false);
  if (exists && !force) {
    throw new UsageError(`${file} already exists; nothing was changed`, 'Use config set to change it, or config init --force to start over (the old file is kept as .bak).');
  }
}

function wholeNumber(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`${flag} must be a whole number; got '${raw}'`);
  return Number(raw);
}

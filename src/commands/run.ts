/**
 * `run`: one monitoring cycle, the cron job.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { EXIT, UsageError } from '../errors.js';
import { runOnce } from '../run/run.js';
import { reportJson, reportText } from '../run/report.js';
import { configPath, verb } from './common.js';

export const runCommand = verb({
  command: 'run',
  describe: 'Run one monitoring cycle: fetch, evaluate rules, email alerts, save state',
  builder: (y) =>
    y
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'Evaluate and render the email, but send nothing and change no state',
      })
      .option('save-email', {
        type: 'string',
        requiresArg: true,
        describe: 'Also write the alert email (RFC 5322, .eml) to this file',
      })
      .option('save-records', {
        type: 'string',
        requiresArg: true,
        describe: 'Also write the new events and matched flows as DIR/events.json and DIR/flows.json (input for rules test)',
      })
      .option('fail-on-alert', {
        type: 'boolean',
        default: false,
        describe: 'Exit 3 when alerts fired (for CI smoke checks)',
      })
      .example('$0 run', 'one cycle with ./illumio-monitor.json (the cron job)')
      .example('$0 run --json --config /etc/illumio-monitor/config.json', 'machine-readable result')
      .example('$0 run --dry-run --save-email /tmp/preview.eml', 'preview the email, send nothing')
      .example('$0 run --save-records /tmp/run1', 'keep what this run saw, to replay with rules test'),
  handler: async (args, ctx) => {
    // Checked before the run: an output path that cannot be written must not
    // stop the alert mail after the PCE has been read.
    if (args.saveEmail !== undefined) await assertWritableDir(path.dirname(path.resolve(args.saveEmail)), '--save-email');
    if (args.saveRecords !== undefined) await assertWritableDir(path.resolve(args.saveRecords), '--save-records', true);
    const config = await loadConfig(configPath(args, ctx.env), ctx.env);
    const report = await runOnce(config, { dryRun: args.dryRun, saveEmail: args.saveEmail, saveRecords: args.saveRecords }, ctx);

    let exitCode: number = EXIT.ok;
    if (!report.ok) exitCode = EXIT.runtime;
    else if (args.failOnAlert && report.alerts.length > 0) exitCode = EXIT.alertsFired;

    // Failures are diagnostics: stderr, also under --quiet. The summary is a
    // result (stdout), left out under --quiet so cron mails only on trouble.
    for (const error of report.errors) ctx.log.error(error);
    return { exitCode, text: args.quiet ? '' : reportText(report), json: reportJson(report, exitCode) };
  },
});

async function assertWritableDir(dir: string, option: string, mayCreate = false): Promise<void> {
  const target = mayCreate && !(await exists(dir)) ? path.dirname(dir) : dir;
  const ok = await fs.stat(target).then(
    (st) => st.isDirectory() && fs.access(target, fsConstants.W_OK).then(() => true, () => false),
    () => false,
  );
  if (!ok) throw new UsageError(`${option}: ${target} is not a folder this user can write to`, `Give ${option} a path in an existing, writable folder.`);
}

function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(() => true, () => false);
}

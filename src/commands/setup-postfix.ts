/**
 * `setup-postfix`: make the local Postfix relay through an authenticated
 * smarthost. Parses flags, reads the password (never from argv) and prints
 * what src/postfix/ did or, with --dry-run, would do.
 */
import path from 'node:path';
import type { Argv } from 'yargs';
import type { CommandResult, Context } from '../context.js';
import { UsageError } from '../errors.js';
import { checkRelay, readRelayPassword, type SetupOptions, type TlsLevel } from '../postfix/options.js';
import { DEFAULT_CONFIG_DIR } from '../postfix/plan.js';
import { processRunner } from '../postfix/runner.js';
import { setupPostfix, type SetupResult } from '../postfix/setup.js';
import { verb, type GlobalOptions } from './common.js';

interface SetupPostfixArgs {
  'relay-host': string;
  'relay-port': number;
  'relay-user': string | undefined;
  'relay-password-file': string | undefined;
  'relay-password': unknown;
  tls: TlsLevel;
  'config-dir': string;
  install: boolean;
  restart: boolean;
  'dry-run': boolean;
}

function builder(y: Argv<GlobalOptions>): Argv<SetupPostfixArgs & GlobalOptions> {
  return y
    .option('relay-host', { type: 'string', demandOption: true, describe: 'Smarthost name or IP address (no brackets, no port)' })
    .option('relay-port', { type: 'number', default: 587, describe: 'Smarthost port' })
    .option('relay-user', { type: 'string', describe: 'SASL user name for the smarthost (required)' })
    .option('relay-password-file', { type: 'string', describe: 'File holding the SASL password (else $ILLUMIO_RELAY_PASSWORD)' })
    .option('relay-password', { type: 'string', hidden: true })
    .option('tls', { choices: ['encrypt', 'may'] as const, default: 'encrypt' as TlsLevel, describe: 'TLS to the smarthost: encrypt (required) or may (opportunistic)' })
    .option('config-dir', { type: 'string', default: DEFAULT_CONFIG_DIR, describe: 'Postfix config directory' })
    .option('install', { type: 'boolean', default: true, describe: 'Install Postfix and the SASL plugin if missing (--no-install to refuse)' })
    .option('restart', { type: 'boolean', default: true, describe: 'Start or reload Postfix after a change (--no-restart to skip)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'Print every command and file change, change nothing' })
    .example('$0 setup-postfix --relay-host smtp.example.com --relay-user alerts --relay-password-file pw', 'Relay via smtp.example.com:587, STARTTLS required')
    .example('$0 setup-postfix --relay-host smtp.example.com --relay-user alerts --dry-run', 'Show every change (password from $ILLUMIO_RELAY_PASSWORD)') as unknown as Argv<SetupPostfixArgs & GlobalOptions>;
}

async function toOptions(args: SetupPostfixArgs, ctx: Context): Promise<SetupOptions> {
  if (args['relay-password'] !== undefined) {
    throw new UsageError(
      '--relay-password is not accepted: a password on the command line is visible to every user in the process list',
      'Use --relay-password-file FILE or ILLUMIO_RELAY_PASSWORD.',
    );
  }
  const user = args['relay-user'];
  if (user === undefined) throw new UsageError('--relay-user is required: the smarthost demands a SASL login');

  checkRelay(args['relay-host'], args['relay-port'], user);
  return {
    relayHost: args['relay-host'],
    relayPort: args['relay-port'],
    relayUser: user,
    password: await readRelayPassword(args['relay-password-file'], ctx.env.ILLUMIO_RELAY_PASSWORD),
    tls: args.tls,
    configDir: path.resolve(args['config-dir']),
    install: args.install,
    restart: args.restart,
    dryRun: args['dry-run'],
  };
}

export function formatResult(result: SetupResult, user: string): string {
  const relay = `${result.relayhost} as ${user}`;
  const lines: string[] = [];

  if (result.dryRun) {
    lines.push(result.changed
      ? `Dry run on ${result.os.prettyName}: to relay through ${relay}, setup-postfix would run (nothing was changed):`
      : `no change: Postfix already relays through ${relay} (dry run).`);
  } else {
    lines.push(result.changed ? `Postfix now relays through ${relay}. Done:` : `no change: Postfix already relays through ${relay}.`);
  }

  result.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s}`));
  if (result.backupDir) lines.push(`Backup of the previous files: ${result.backupDir}`);
  for (const note of result.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

export const setupPostfixCommand = verb({
  command: 'setup-postfix',
  describe: 'Make the local Postfix relay mail through an authenticated smarthost (SASL, TLS)',
  builder,
  handler: async (args: SetupPostfixArgs & GlobalOptions, ctx: Context): Promise<CommandResult> => {
    const options = await toOptions(args, ctx);
    const result = await setupPostfix(options, { root: '/', runner: processRunner(ctx.env), clock: ctx.clock, log: ctx.log });
    const { os, ...rest } = result;
    return {
      exitCode: 0,
      text: formatResult(result, options.relayUser),
      json: { ok: true, ...rest, os: { id: os.id, family: os.family }, user: options.relayUser },
    };
  },
});

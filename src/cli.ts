/**
 * The command table and the only top-level catch. Verbs live in
 * src/commands/; this file wires yargs, prints results and owns the exit code.
 */
import yargs, { type Argv } from 'yargs';
import { systemClock, type Clock, type CommandResult, type Context } from './context.js';
import { EXIT, MonitorError, ConfigError, UsageError } from './errors.js';
import { createLogger, safeForTerminal, wantColor } from './output.js';
import { setDispatcher, type GlobalOptions } from './commands/common.js';
import { commands } from './commands/index.js';

export interface MainIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  clock: Clock;
}

const EPILOG = `Exit codes:
  0   success (alerts, if any, were delivered)
  1   runtime failure (PCE unreachable, auth or TLS error, incomplete fetch, mail not delivered and kept for retry)
  2   usage or configuration error
  3   alerts fired and --fail-on-alert was given (run, rules test)
  75  another run holds the lock (nothing was changed)

Config: --config, else $ILLUMIO_MONITOR_CONFIG, else ./illumio-monitor.json.
Secrets: ILLUMIO_API_SECRET, ILLUMIO_SMTP_PASSWORD override the config.`;

function processIo(): MainIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    stdoutIsTty: Boolean(process.stdout.isTTY),
    stderrIsTty: Boolean(process.stderr.isTTY),
    clock: systemClock,
  };
}

export function buildParser(argv: string[]): Argv<GlobalOptions> {
  let parser = yargs(argv)
    .scriptName('illumio-monitor')
    .usage('$0 <command> [options]')
    .usage('Watch an Illumio PCE and email the security team about what needs attention.')
    .option('config', {
      type: 'string',
      requiresArg: true,
      describe: 'Config file (else $ILLUMIO_MONITOR_CONFIG, else ./illumio-monitor.json)',
    })
    .option('json', { type: 'boolean', default: false, describe: 'Machine-readable result on stdout' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only errors on stderr; run prints no summary (for cron)' })
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'Debug detail on stderr' })
    .option('color', { type: 'boolean', describe: 'Colour, used only on a terminal; --no-color turns it off (so does NO_COLOR)' }) as unknown as Argv<GlobalOptions>;

  // strict() before the commands, so it reaches their options too.
  parser = parser.strict();
  for (const command of commands) parser = parser.command(command);

  return parser
    .demandCommand(1, 'Name a command; see --help.')
    .recommendCommands()
    .epilogue(EPILOG)
    // No hard wrap: yargs' wrapping splits words; terminals wrap long lines themselves.
    .wrap(null)
    .version()
    .help();
}

/** Run the CLI; returns the exit code (and sets process.exitCode from the bin). */
export async function main(argv: string[], io: MainIo = processIo()): Promise<number> {
  let result: CommandResult | undefined;
  // Until yargs has parsed them; --json is known early so every error path can honour it.
  let globals: GlobalOptions = { config: undefined, json: argv.includes('--json'), quiet: false, verbose: false, color: true };

  const makeLogger = (g: GlobalOptions) =>
    createLogger({
      quiet: g.quiet,
      verbose: g.verbose,
      color: wantColor(io.stderrIsTty, io.env, !g.color),
      write: io.stderr,
      // Secrets handed in through the environment are never echoed.
      secrets: () => [io.env.ILLUMIO_API_SECRET, io.env.ILLUMIO_SMTP_PASSWORD, io.env.ILLUMIO_RELAY_PASSWORD]
        .filter((s): s is string => Boolean(s)),
    });

  setDispatcher({
    async run(handler, args) {
      // yargs skips top-level conflicts once a command matched; check here.
      if (args.quiet && args.verbose) throw new UsageError('--quiet and --verbose are mutually exclusive; give one.');
      globals = { ...args, quiet: Boolean(args.quiet), verbose: Boolean(args.verbose), color: args.color !== false };
      const ctx: Context = {
        clock: io.clock,
        env: io.env,
        log: makeLogger(globals),
        stderrIsTty: io.stderrIsTty,
      };
      result = await handler(args, ctx);
    },
  });

  const parser = buildParser(argv).fail((msg, err) => {
    // yargs' own complaints (YError) are usage problems; anything else a handler threw.
    if (err && err.name !== 'YError') throw err;
    // Throw, or yargs would go on and run the handler after a usage error.
    throw new UsageFailure(msg ?? err?.message ?? 'bad command line');
  });

  let exitCode: number;
  try {
    let helpOutput = '';
    await parser.parseAsync(argv, {}, (_err, _argv, output) => {
      helpOutput = output;
    });
    if (result) {
      printResult(io, globals, result);
      exitCode = result.exitCode;
    } else {
      if (helpOutput) io.stdout(`${helpOutput}\n`);
      exitCode = EXIT.ok;
    }
  } catch (err) {
    if (err instanceof UsageFailure) {
      io.stderr(`${await parser.getHelp()}\n\nerror: ${err.message}\n`);
      // Scripts that asked for JSON get it on every path, usage errors too.
      if (argv.includes('--json')) io.stdout(`${JSON.stringify({ ok: false, error: { code: 'USAGE', message: err.message } }, null, 2)}\n`);
      exitCode = EXIT.usage;
    } else {
      exitCode = reportError(io, globals, makeLogger(globals), err);
    }
  }

  return exitCode;
}

/** yargs rejected the command line (unknown option, missing argument, ...). */
class UsageFailure extends Error {}

function printResult(io: MainIo, g: GlobalOptions, result: CommandResult): void {
  if (g.json) io.stdout(`${JSON.stringify(result.json, null, 2)}\n`);
  else if (result.text) io.stdout(safeForTerminal(result.text.endsWith('\n') ? result.text : `${result.text}\n`));
}

function reportError(
  io: MainIo,
  g: GlobalOptions,
  log: ReturnType<typeof createLogger>,
  err: unknown,
): number {
  if (err instanceof MonitorError) {
    log.error(err.message);
    if (err.hint) log.hint(err.hint);
    if (g.verbose && err.stack) io.stderr(`${err.stack}\n`);
    if (g.json) {
      const problems = err instanceof ConfigError ? err.problems : undefined;
      io.stdout(`${JSON.stringify({ ok: false, error: { code: err.code, message: err.message, hint: err.hint, problems } }, null, 2)}\n`);
    }
    return err.exitCode;
  }

  // An internal error: the stack is the useful part.
  log.error(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  if (g.json) io.stdout(`${JSON.stringify({ ok: false, error: { code: 'INTERNAL', message: String(err) } }, null, 2)}\n`);
  return EXIT.runtime;
}

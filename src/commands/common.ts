/**
 * The glue between yargs and a verb: global options, building the Context,
 * and handing the verb's CommandResult back to main().
 */
import path from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { CommandResult, Context } from '../context.js';

export interface GlobalOptions {
  config: string | undefined;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
}

/** Where the config is: --config, else $ILLUMIO_MONITOR_CONFIG, else ./illumio-monitor.json. */
export function configPath(
  global: GlobalOptions,
  env: Context['env'],
  cwd: string = process.cwd(),
): string {
  const chosen = global.config ?? env.ILLUMIO_MONITOR_CONFIG ?? 'illumio-monitor.json';
  return path.resolve(cwd, chosen);
}

/** A verb's handler: argv in both spellings (`dry-run` and `dryRun`), and a Context. */
export type VerbHandler<A> = (
  args: ArgumentsCamelCase<A & GlobalOptions>,
  ctx: Context,
) => Promise<CommandResult>;

/**
 * Set by cli.ts before parsing: runs a verb with a Context built from the
 * global options and records its result for main().
 */
export interface Dispatcher {
  run<A>(handler: VerbHandler<A>, args: ArgumentsCamelCase<A & GlobalOptions>): Promise<void>;
}

let dispatcher: Dispatcher | undefined;

export function setDispatcher(d: Dispatcher): void {
  dispatcher = d;
}

/** Build a yargs command whose handler is a verb. */
export function verb<A>(spec: {
  command: string | string[];
  describe: string;
  builder: (y: Argv<GlobalOptions>) => Argv<A & GlobalOptions>;
  handler: VerbHandler<A>;
}): CommandModule<GlobalOptions, A & GlobalOptions> {
  return {
    command: spec.command,
    describe: spec.describe,
    builder: spec.builder,
    handler: async (args) => {
      if (!dispatcher) throw new Error('internal: no dispatcher set');
      await dispatcher.run(spec.handler, args);
    },
  };
}

export function ok(text: string, json: unknown): CommandResult {
  return { exitCode: 0, text, json };
}

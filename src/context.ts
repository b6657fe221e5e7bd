/**
 * Everything a verb needs from the outside world, injected so tests drive
 * verbs without touching process globals: the clock, the environment, the
 * output streams and the diagnostics logger.
 */
import type { Logger } from './output.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Wait; tests pass a clock that advances instantly. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type Env = Readonly<Record<string, string | undefined>>;

export interface Context {
  clock: Clock;
  env: Env;
  log: Logger;
  /** True when stderr is a terminal (progress lines are shown only then). */
  stderrIsTty: boolean;
}

/**
 * What a verb returns: cli.ts prints `text` (human) or `json` (with --json)
 * to stdout and sets the exit code. Diagnostics go through ctx.log instead.
 */
export interface CommandResult {
  exitCode: number;
  text: string;
  json: unknown;
}

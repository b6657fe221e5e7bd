/**
 * Typed failures. Every expected failure is a MonitorError with a stable
 * `code` and the process exit code it maps to; main() in cli.ts is the only
 * place that turns one into output and `process.exitCode`.
 */

export const EXIT = {
  ok: 0,
  runtime: 1,
  usage: 2,
  alertsFired: 3,
  locked: 75,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class MonitorError extends Error {
  override name = 'MonitorError';
  readonly code: string;
  readonly exitCode: ExitCode;
  /** A one-line hint on what to do next, printed after the message. */
  readonly hint: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT.runtime;
    this.hint = options.hint;
  }
}

/** A problem found in a config file or rule, with its JSON path. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** Bad config or usage: exit 2, every problem listed with its path. */
export class ConfigError extends MonitorError {
  override name = 'ConfigError';
  readonly problems: ConfigProblem[];

  constructor(file: string, problems: ConfigProblem[], hint?: string) {
    const lines = problems.map((p) => `  ${p.path || '/'}: ${p.message}`);
    super('CONFIG_INVALID', `${file} is not valid:\n${lines.join('\n')}`, {
      exitCode: EXIT.usage,
      hint,
    });
    this.problems = problems;
  }
}

export class UsageError extends MonitorError {
  override name = 'UsageError';

  constructor(message: string, hint?: string) {
    super('USAGE', message, { exitCode: EXIT.usage, hint });
  }
}

/** The PCE answered badly or not at all. */
export class PceError extends MonitorError {
  override name = 'PceError';
  readonly status: number | undefined;

  constructor(
    code: string,
    message: string,
    options: { status?: number; hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, { hint: options.hint, cause: options.cause });
    this.status = options.status;
  }
}

export class MailError extends MonitorError {
  override name = 'MailError';
}

export class StateError extends MonitorError {
  override name = 'StateError';
}

export class LockedError extends MonitorError {
  override name = 'LockedError';

  constructor(message: string) {
    super('LOCKED', message, {
      exitCode: EXIT.locked,
      hint: 'Another run is in progress; nothing was changed. Try again after it ends.',
    });
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Diagnostics on stderr with levels, and colour only where it belongs: on a
 * terminal, never with NO_COLOR, never in JSON, logs or email.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export type Level = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(message: string): void;
  /** What to do about the error just reported; shown with the errors, also under --quiet. */
  hint(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  readonly verbose: boolean;
}

export interface LoggerOptions {
  quiet: boolean;
  verbose: boolean;
  color: boolean;
  write: (line: string) => void;
  /** Strings that must never be printed (secrets); replaced by `***`. */
  secrets?: () => readonly string[];
}

export function createLogger(options: LoggerOptions): Logger {
  const paint = makeChalk(options.color);
  const emit = (line: string) => options.write(scrub(line, options.secrets?.() ?? []) + '\n');
  const clean = (m: string) => safeForTerminal(m);

  return {
    verbose: options.verbose,
    error: (m) => emit(`${paint.red('error:')} ${clean(m)}`),
    hint: (m) => emit(`${paint.cyan('hint:')} ${clean(m)}`),
    warn: (m) => options.quiet || emit(`${paint.yellow('warning:')} ${clean(m)}`),
    info: (m) => options.quiet || emit(clean(m)),
    debug: (m) => options.verbose && emit(paint.dim(clean(m))),
  };
}

/** Colour is used only on a TTY, never when NO_COLOR is set (any value). */
export function wantColor(
  isTty: boolean,
  env: Readonly<Record<string, string | undefined>>,
  noColorFlag: boolean,
): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTty;
}

export function makeChalk(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}

/**
 * Control characters shown as `\x1b` and the like: a hostname or an error body
 * from the PCE must not move the cursor, retitle the window or clear the
 * screen of whoever reads the output. Newlines and tabs stay.
 */
export function safeForTerminal(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Replace every occurrence of every secret (of 4+ characters) by `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/** A logger that keeps lines in memory, for tests and for library use. */
export function memoryLogger(verbose = false): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    verbose,
    error: (m) => lines.push(`error: ${m}`),
    hint: (m) => lines.push(`hint: ${m}`),
    warn: (m) => lines.push(`warning: ${m}`),
    info: (m) => lines.push(m),
    debug: (m) => verbose && lines.push(m),
  };
}

/**
 * The steps a plan is made of, and how each is shown to a person: dry-run
 * prints exactly these lines, and the password is always shown as `***`.
 */

export type Step =
  | CommandStep
  | { kind: 'verify-sasl'; id: 'verify-sasl'; package: string }
  | { kind: 'backup'; id: 'backup'; dir: string; files: string[] }
  | { kind: 'write'; id: string; file: string; mode: number; content: string; shown: string }
  | { kind: 'chmod'; id: string; file: string; mode: number };

export interface CommandStep {
  kind: 'command';
  /** Stable name used in messages and tests, e.g. `postconf-main`. */
  id: string;
  argv: string[];
  env?: Record<string, string>;
  input?: string;
}

export function command(
  id: string,
  argv: string[],
  extra: { env?: Record<string, string>; input?: string } = {},
): CommandStep {
  return { kind: 'command', id, argv, ...extra };
}

/** One line per step, as a shell user would read it. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'command':
      return describeCommand(step);
    case 'verify-sasl':
      return `check that a SASL PLAIN or LOGIN client plugin is installed (package ${step.package})`;
    case 'backup':
      return `back up ${step.files.join(', ')} to ${step.dir}/`;
    case 'write':
      return `write ${step.file} (mode ${octal(step.mode)}): ${step.shown}`;
    case 'chmod':
      return `chmod ${octal(step.mode)} ${step.file}`;
  }
}

function describeCommand(step: CommandStep): string {
  const env = Object.entries(step.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)} `).join('');
  const line = `${env}${step.argv.map(shellQuote).join(' ')}`;
  return step.input === undefined ? line : `${line} <<< ${shellQuote(step.input.trimEnd())}`;
}

export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

/** Quote a word for a POSIX shell only when it needs it. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

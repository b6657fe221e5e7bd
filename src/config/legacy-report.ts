/**
 * What an import of the Python ancestor's config reports: every repair and
 * every dropped field (with the legacy JSON path it came from), warnings that
 * need the user's attention, and problems that stop the import.
 *
 * Messages never quote a secret: values of secret or unknown fields are never
 * put into a change, warning or problem.
 */
import { ConfigError, type ConfigProblem } from '../errors.js';
import type { ConfigFile } from '../types.js';

/** One line per repair or dropped field; `path` is a JSON pointer into the legacy file. */
export interface LegacyChange {
  path: string;
  message: string;
}

export interface LegacyImport {
  config: ConfigFile;
  changes: LegacyChange[];
  warnings: string[];
}

export type Loose = Record<string, unknown>;

/** Collects changes, warnings and problems while a legacy config is converted. */
export class LegacyReport {
  readonly changes: LegacyChange[] = [];
  readonly warnings: string[] = [];
  readonly problems: ConfigProblem[] = [];

  change(path: string, message: string): void {
    this.changes.push({ path, message });
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** Stop with exit 2 when the legacy file is too broken to convert. */
  throwIfProblems(source: string): void {
    if (this.problems.length === 0) return;
    throw new ConfigError(
      source,
      this.problems,
      'Fix these in the legacy file and run import-legacy again; nothing was written.',
    );
  }
}

export function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Absent, null and '' all meant "not set" in the Python tool. */
export function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** An integer given as a number or as decimal text ("1"), else undefined. */
export function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value.trim());
  return undefined;
}

/** Report every key of `obj` not in `known` as dropped (its value is never shown). */
export function dropUnknownKeys(
  obj: Loose,
  known: readonly string[],
  at: string,
  report: LegacyReport,
  why = 'not used by illumio-monitor',
): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) report.change(`${at}/${key}`, `dropped: ${why}`);
  }
}

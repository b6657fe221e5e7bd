/**
 * One doctor check: a stable id, a status, what was found and, when
 * something is wrong, what to do about it. SKIP marks a check that could
 * not run because an earlier one failed (or that does not apply).
 */

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable, e.g. `pce-auth`; scripts key on it. */
  id: string;
  status: CheckStatus;
  /** What was found, one line. */
  detail: string;
  /** What to do, one line; set on WARN and FAIL. */
  hint?: string;
}

export const pass = (id: string, detail: string): CheckResult => ({ id, status: 'ok', detail });

export const warn = (id: string, detail: string, hint: string): CheckResult => ({ id, status: 'warn', detail, hint });

export const fail = (id: string, detail: string, hint?: string): CheckResult =>
  hint === undefined ? { id, status: 'fail', detail } : { id, status: 'fail', detail, hint };

export const skip = (id: string, detail: string): CheckResult => ({ id, status: 'skip', detail });

/** `OK   pce-auth       authenticated as api_1 ...; fix: ...` — one line per check. */
export function checkLine(c: CheckResult): string {
  const fix = c.hint ? `; fix: ${c.hint}` : '';
  return `${c.status.toUpperCase().padEnd(4)} ${c.id.padEnd(14)} ${c.detail}${fix}`;
}

export function summaryLine(checks: readonly CheckResult[]): string {
  const n = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  const verdict = n('fail') > 0 ? 'problems found' : n('warn') > 0 ? 'usable, with warnings' : 'all good';
  return `doctor: ${verdict} (${n('ok')} ok, ${n('warn')} warn, ${n('fail')} fail, ${n('skip')} skipped)`;
}

/** The first check that stops its dependants, as a reason to skip them. */
export function blocker(checks: readonly CheckResult[], ids: readonly string[]): string | undefined {
  const failed = checks.find((c) => ids.includes(c.id) && c.status === 'fail');
  return failed ? `skipped: ${failed.id} failed` : undefined;
}

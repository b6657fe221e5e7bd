/**
 * Per-rule match history in one-minute buckets, so a rule's trailing window
 * can count what earlier runs saw without keeping the events themselves.
 * A bucket belongs to the window when any part of it does: the window is
 * exact to the minute and errs towards counting (never towards missing).
 */
import type { Rule, RuleState } from '../types.js';

export const MINUTE = 60_000;

export type Buckets = [number, number][];

export function bucketOf(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

export function windowStartOf(rule: Pick<Rule, 'windowMinutes'>, now: number): number {
  return now - rule.windowMinutes * MINUTE;
}

/** Is the minute holding `ms` (partly) inside a window starting at windowStart? */
export function inWindow(ms: number, windowStart: number): boolean {
  return bucketOf(ms) + MINUTE > windowStart;
}

/**
 * Add match times to buckets (oldest first). Times in the future (clock
 * skew) are placed at `now`, so no bucket outlives its window.
 */
export function addTimes(buckets: Buckets, times: readonly number[], now: number): Buckets {
  const counts = new Map<number, number>(buckets.map(([b, n]) => [b, n]));
  for (const t of times) {
    const b = bucketOf(Math.min(t, now));
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => a[0] - b[0]);
}

/** Drop buckets that lie wholly before the window. */
export function pruneBuckets(buckets: Buckets, windowStart: number): Buckets {
  return buckets.filter(([b]) => b + MINUTE > windowStart);
}

export function sumBuckets(buckets: Buckets, windowStart: number): number {
  let sum = 0;
  for (const [b, n] of buckets) if (b + MINUTE > windowStart) sum += n;
  return sum;
}

/** What `state show` reports: matches the state remembers inside the rule's window. */
export function windowCount(state: RuleState | undefined, rule: Rule, now: number): number {
  return state ? sumBuckets(state.buckets, windowStartOf(rule, now)) : 0;
}

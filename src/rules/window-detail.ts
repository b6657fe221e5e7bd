/**
 * What an event rule's alert shows besides its count: who caused the
 * matches and the oldest raw events. Both are kept across runs beside the
 * count buckets and pruned with the same window, so a trickle that fires at
 * its fifth run shows five events' worth of talkers, not the newest one.
 */
import type { PceEvent, RuleState, Talker } from '../types.js';
import { parsePceTime } from '../util/time.js';
import { bucketOf, inWindow, MINUTE } from './history.js';
import { topTalkers } from './talkers.js';

/** [bucketStartMs, source, count], oldest minute first, then source in byte order. */
export type TalkerBuckets = [number, string, number][];

/** This run's talkers per minute; an undefined minute means "no timestamp: now". */
export type NewTalkers = readonly (readonly [number | undefined, string, number])[];

/**
 * At most this many talker entries per rule. Past it the oldest are dropped,
 * so the talker table of a later alert may then under-count (its sum falls
 * below the alert's count); the count itself comes from the buckets and
 * stays exact. The alert of the run that crosses the cap is still exact: it
 * is built before the cap is applied.
 */
export const TALKER_ENTRIES_MAX = 500;

/** A longer source is cut: a hostile host or user name must not bloat the state. */
export const SOURCE_MAX_CHARS = 200;

export const SAMPLES_SHOWN = 2;

/** A raw event bigger than this (as JSON) is shown when read, but not kept across runs. */
export const SAMPLE_KEEP_MAX_CHARS = 32_768;

/** The talker label of a source, cut to SOURCE_MAX_CHARS characters. */
export function talkerLabel(source: string): string {
  if (source.length <= SOURCE_MAX_CHARS) return source;
  const chars = Array.from(source);
  return chars.length <= SOURCE_MAX_CHARS ? source : `${chars.slice(0, SOURCE_MAX_CHARS - 1).join('')}…`;
}

/** Add this run's talkers; like the count buckets, undated and future matches go to now's minute. */
export function addTalkers(kept: TalkerBuckets, added: NewTalkers, now: number): TalkerBuckets {
  const entries = new Map<string, [number, string, number]>();
  const add = (minute: number, source: string, n: number) => {
    const entry = entries.get(`${minute} ${source}`);
    if (entry) entry[2] += n;
    else entries.set(`${minute} ${source}`, [minute, source, n]);
  };

  for (const [minute, source, n] of kept) add(minute, source, n);
  for (const [minute, source, n] of added) add(bucketOf(Math.min(minute ?? now, now)), source, n);
  return [...entries.values()].sort(byMinuteThenSource);
}

/** Drop entries whose minute lies wholly before the window (as pruneBuckets does). */
export function pruneTalkers(talkers: TalkerBuckets, windowStart: number): TalkerBuckets {
  return talkers.filter(([minute]) => minute + MINUTE > windowStart);
}

/** Keep the newest `max` entries (see TALKER_ENTRIES_MAX for what that costs). */
export function capTalkers(talkers: TalkerBuckets, max = TALKER_ENTRIES_MAX): TalkerBuckets {
  return talkers.length > max ? talkers.slice(talkers.length - max) : talkers;
}

/** The window's top 5 sources, summed over its minutes, ordered as topTalkers() orders. */
export function windowTalkers(talkers: TalkerBuckets, windowStart: number): Talker[] {
  const sums = new Map<string, number>();
  for (const [minute, source, n] of talkers) {
    if (minute + MINUTE > windowStart) sums.set(source, (sums.get(source) ?? 0) + n);
  }
  return topTalkers([...sums].map(([label, n]) => [{ label, src: label }, n] as [Talker, number]));
}

/**
 * The oldest samples inside the window, from the kept ones and this run's
 * (oldest first, kept ones first on a tie, one per href): `shown` for the
 * alert, `kept` for the state. Older raw events are not stored, so when a
 * kept sample leaves the window its place is filled from this run's
 * matches, even if an earlier run read an older event that is still inside.
 * Undated or very large events are shown but not kept.
 */
export function mergeSamples(
  kept: readonly PceEvent[],
  fresh: readonly unknown[],
  windowStart: number,
  now: number,
): { shown: unknown[]; kept: PceEvent[] } {
  const hrefs = new Set<string>();
  const candidates = [...kept, ...fresh]
    .filter((ev) => firstOfHref(ev, hrefs))
    .map((ev, i) => ({ ev, at: Math.min(parsePceTime(fieldOf(ev, 'timestamp')) ?? now, now), i }))
    .filter(({ at }) => inWindow(at, windowStart))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map(({ ev }) => ev);

  return {
    shown: candidates.slice(0, SAMPLES_SHOWN),
    kept: candidates.filter(keepable).slice(0, SAMPLES_SHOWN),
  };
}

/** Kept samples whose minute is still (partly) inside the window. */
export function pruneSamples(samples: readonly PceEvent[], windowStart: number): PceEvent[] {
  return samples.filter((ev) => {
    const at = parsePceTime(ev.timestamp);
    return at !== undefined && inWindow(at, windowStart);
  });
}

/** Set the event window's talkers and samples; empty ones (and other rule types) carry none. */
export function withDetail(state: RuleState, talkers: TalkerBuckets, samples: PceEvent[]): RuleState {
  const next: RuleState = { ...state, talkers, samples };
  if (talkers.length === 0) delete next.talkers;
  if (samples.length === 0) delete next.samples;
  return next;
}

function keepable(ev: unknown): ev is PceEvent {
  if (typeof fieldOf(ev, 'href') !== 'string') return false;
  if (parsePceTime(fieldOf(ev, 'timestamp')) === undefined) return false;
  return JSON.stringify(ev).length <= SAMPLE_KEEP_MAX_CHARS;
}

function firstOfHref(ev: unknown, hrefs: Set<string>): boolean {
  const href = fieldOf(ev, 'href');
  if (typeof href !== 'string') return true;
  if (hrefs.has(href)) return false;
  hrefs.add(href);
  return true;
}

function fieldOf(ev: unknown, key: 'href' | 'timestamp'): unknown {
  return ev !== null && typeof ev === 'object' ? (ev as Record<string, unknown>)[key] : undefined;
}

function byMinuteThenSource(a: [number, string, number], b: [number, string, number]): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

/**
 * Matches a cooldown holds back. Without this, a match that arrives during
 * a cooldown and has left the rule's window by the time the cooldown ends
 * is never mailed. While a rule cools down (or its mail waits in the
 * outbox), event rules add each run's new matches here; the first time the
 * cooldown suppresses the rule at its threshold, `since` is set, and the
 * first run after the cooldown mails one alert for what was held. Traffic
 * is re-read over its window every run, so a traffic rule keeps a snapshot
 * of the newest held window instead. The size is fixed whatever the rate:
 * a count, two times, capped talkers and two samples.
 */
import type { Alert, HeldMatches, PceEvent, Talker } from '../types.js';
import { parsePceTime, toIsoZ } from '../util/time.js';
import type { RuleMatches } from './aggregate.js';
import { bucketOf, inWindow } from './history.js';
import { topTalkers } from './talkers.js';
import { mergeSamples, TALKER_ENTRIES_MAX } from './window-detail.js';

/** This run's new event matches inside the window: what a cooldown may hold back. */
export interface NewEventMatches {
  count: number;
  first?: number;
  last?: number;
  talkers: Map<string, number>;
  samples: unknown[];
}

/** The new in-window matches of an event rule this run (undated ones count at `now`). */
export function newEventMatches(m: RuleMatches | undefined, windowStart: number, now: number): NewEventMatches {
  const dated = (m?.eventTimes ?? []).filter((t) => inWindow(t, windowStart));
  const undated = Math.max(0, (m?.count ?? 0) - (m?.eventTimes?.length ?? 0));
  const times = [...dated, ...Array<number>(undated).fill(now)].map((t) => Math.min(t, now));

  const talkers = new Map<string, number>();
  for (const [minute, source, n] of m?.eventTalkers ?? []) {
    if (minute !== undefined && bucketOf(minute) + 60_000 <= windowStart) continue;
    talkers.set(source, (talkers.get(source) ?? 0) + n);
  }
  const samples = (m?.samples ?? []).filter((ev) => {
    const at = parsePceTime((ev as PceEvent | null)?.timestamp);
    return at === undefined || inWindow(at, windowStart);
  });

  return {
    count: times.length,
    first: times.length ? Math.min(...times) : undefined,
    last: times.length ? Math.max(...times) : undefined,
    talkers,
    samples,
  };
}

/** Add an event rule's new matches to what the cooldown holds. */
export function holdEvents(held: HeldMatches | undefined, fresh: NewEventMatches, now: number): HeldMatches | undefined {
  if (fresh.count === 0) return held;

  const sums = new Map((held?.talkers ?? []).map((t) => [t.label, t.count]));
  for (const [source, n] of fresh.talkers) sums.set(source, (sums.get(source) ?? 0) + n);
  // Past the cap the smallest sources go: the table shows the top 5 anyway.
  const talkers = topTalkers([...sums].map(([label, n]) => [{ label }, n] as [{ label: string }, number]), TALKER_ENTRIES_MAX);
  const samples = mergeSamples(held?.samples ?? [], fresh.samples, -Infinity, now).kept;

  const next: HeldMatches = {
    ...(held?.since ? { since: held.since } : {}),
    count: (held?.count ?? 0) + fresh.count,
    firstSeen: earliest(held?.firstSeen, fresh.first),
    lastSeen: newest(held?.lastSeen, fresh.last),
    talkers,
  };
  if (samples.length) next.samples = samples;
  return next;
}

/** Traffic: the newest window the cooldown held back (firstSeen and since stay from the first). */
export function holdTraffic(held: HeldMatches | undefined, alert: Alert): HeldMatches {
  return {
    since: held?.since ?? alert.windowEnd,
    count: alert.count,
    firstSeen: earliest(held?.firstSeen, parsePceTime(alert.firstSeen)),
    lastSeen: newest(held?.lastSeen, parsePceTime(alert.lastSeen)),
    talkers: alert.topTalkers.slice(0, 5),
  };
}

/** The cooldown suppressed the rule at its threshold: it owes a mail from now on. */
export function arm(held: HeldMatches | undefined, now: number): HeldMatches | undefined {
  return held && (held.since ? held : { ...held, since: toIsoZ(now) });
}

/** An alert for what was held back, from the alert this run would have sent. */
export function heldAlert(base: Alert, held: HeldMatches, cooldownMinutes: number, event: boolean): Alert {
  const first = parsePceTime(held.firstSeen);
  const start = parsePceTime(base.windowStart);
  const talkers: Talker[] = held.talkers.slice(0, 5).map((t) => (event ? { ...t, src: t.label } : t));
  const alert: Alert = {
    ...base,
    count: held.count,
    // The link and the window line reach back to the oldest held match.
    windowStart: first !== undefined && start !== undefined && first < start ? toIsoZ(bucketOf(first)) : base.windowStart,
    firstSeen: held.firstSeen,
    lastSeen: held.lastSeen,
    topTalkers: talkers,
    // Traffic: the held flows are not kept, and this run's belong to a newer window.
    samples: event ? (held.samples ?? []) : [],
    records: event ? base.records : [],
    held: heldNote(held, cooldownMinutes),
  };
  if (!event) delete alert.recordsMatched;
  return alert;
}

export function heldNote(held: HeldMatches, cooldownMinutes: number): NonNullable<Alert['held']> {
  return { since: held.since ?? held.firstSeen ?? '', count: held.count, cooldownMinutes };
}

function earliest(iso: string | undefined, ms: number | undefined): string | undefined {
  const prev = parsePceTime(iso);
  if (ms === undefined) return iso;
  return toIsoZ(prev === undefined ? ms : Math.min(prev, ms));
}

function newest(iso: string | undefined, ms: number | undefined): string | undefined {
  const prev = parsePceTime(iso);
  if (ms === undefined) return iso;
  return toIsoZ(prev === undefined ? ms : Math.max(prev, ms));
}

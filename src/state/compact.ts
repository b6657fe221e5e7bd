/**
 * Keep the state bounded however long the tool runs: history only inside
 * each rule's window (counts, talkers and samples alike), a fixed-size
 * summary of what a cooldown holds back, no state for
 * rules no longer configured, and the de-duplication memory only as far
 * back as the next run re-reads.
 */
import type { HeldMatches, Rule, RuleState, StateFile } from '../types.js';
import { parsePceTime, toIsoZ } from '../util/time.js';
import { MINUTE, pruneBuckets, sumBuckets, windowStartOf } from '../rules/history.js';
import { TOP_TALKERS } from '../rules/talkers.js';
import { capTalkers, pruneSamples, pruneTalkers, SAMPLES_SHOWN, TALKER_ENTRIES_MAX, withDetail } from '../rules/window-detail.js';

/** Seen events are kept this much longer than the overlap, for clock jitter. */
export const SEEN_MARGIN_MS = 10 * MINUTE;
/** Hard bound on the de-duplication memory; the newest are kept. */
export const SEEN_MAX = 50_000;

export function compactState(state: StateFile, rules: readonly Rule[], now: number, overlapMs: number): StateFile {
  const { seenEvents, seenSince } = compactSeen(state, now, overlapMs);
  const next: StateFile = { ...state, seenEvents, rules: compactRules(state.rules, rules, now) };
  if (seenSince === undefined) delete next.seenSince;
  else next.seenSince = seenSince;
  return next;
}

function compactRules(states: StateFile['rules'], rules: readonly Rule[], now: number): StateFile['rules'] {
  const out: StateFile['rules'] = {};

  for (const rule of rules) {
    const prev = states[rule.id];
    if (!prev) continue;
    const windowStart = windowStartOf(rule, now);
    const buckets = pruneBuckets(prev.buckets, windowStart);
    // Event matches that left the window can no longer make the rule fire.
    const newSinceAlert = rule.type === 'event' ? Math.min(prev.newSinceAlert, sumBuckets(buckets, windowStart)) : prev.newSinceAlert;
    // Talkers and samples leave with their window; only event rules keep them.
    const event = rule.type === 'event';
    const talkers = event ? capTalkers(pruneTalkers(prev.talkers ?? [], windowStart)) : [];
    const samples = event ? pruneSamples(prev.samples ?? [], windowStart) : [];
    const next = withDetail({ ...prev, buckets, newSinceAlert }, talkers, samples);
    const held = compactHeld(prev.held, rule);
    if (held) next.held = held;
    else delete next.held;
    if (!isEmpty(next)) out[rule.id] = next;
  }
  return out;
}

/**
 * What a cooldown holds back outlives the window on purpose (it is mailed
 * when the cooldown ends), but its size is fixed; a rule that lost its
 * cooldown, or became a health rule, holds nothing.
 */
function compactHeld(held: HeldMatches | undefined, rule: Rule): HeldMatches | undefined {
  if (!held || rule.cooldownMinutes === 0 || rule.type === 'health') return undefined;
  const next: HeldMatches = { ...held, talkers: held.talkers.slice(0, rule.type === 'event' ? TALKER_ENTRIES_MAX : TOP_TALKERS) };
  if (held.samples) next.samples = held.samples.slice(0, SAMPLES_SHOWN);
  if (rule.type !== 'event') delete next.samples;
  return next;
}

function isEmpty(s: RuleState): boolean {
  return (
    s.buckets.length === 0 &&
    s.newSinceAlert === 0 &&
    s.lastAlertAt === undefined &&
    s.lastAlertedMatchAt === undefined &&
    !s.alertedProblems?.length &&
    s.held === undefined
  );
}

function compactSeen(state: StateFile, now: number, overlapMs: number): { seenEvents: Record<string, number>; seenSince: string | undefined } {
  // The next read starts at checkpoint - overlap (the checkpoint may lag
  // behind now after failed runs): everything from there on must be remembered.
  const checkpoint = parsePceTime(state.eventsCheckpoint) ?? now;
  const cutoff = Math.min(checkpoint, now) - overlapMs - SEEN_MARGIN_MS;

  const kept = Object.entries(state.seenEvents).filter(([, at]) => at >= cutoff);
  if (kept.length <= SEEN_MAX) {
    // Complete for the whole overlap again once a flood has passed.
    const since = parsePceTime(state.seenSince);
    return { seenEvents: Object.fromEntries(kept), seenSince: since !== undefined && since >= cutoff ? state.seenSince : undefined };
  }

  // Over the bound (a flood): keep the newest, cut only between two
  // timestamps, and say from when on the memory is complete. The next read
  // starts there, so nothing older is read again and counted twice.
  kept.sort((a, b) => b[1] - a[1]);
  const edge = kept[SEEN_MAX - 1]![1];
  let end = SEEN_MAX;
  while (end < kept.length && kept[end]![1] === edge) end++;
  return { seenEvents: Object.fromEntries(kept.slice(0, end)), seenSince: toIsoZ(edge) };
}

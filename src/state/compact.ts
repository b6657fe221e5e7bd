/**
 * Keep the state bounded however long the tool runs: history only inside
 * each rule's window (counts, talkers and samples alike), a fixed-size
 * summary of what a cooldown holds back, no state for
 * rules no longer configured, and the de-duplication memory only as far
 * back as the next run re-reads.
 */
import type { HeldMatches, Rule, RuleState, StateFile } from '../types.js';
import { parsePceTime } from '../util/time.js';
import { MINUTE, pruneBuckets, sumBuckets, windowStartOf } from '../rules/history.js';
import { TOP_TALKERS } from '../rules/talkers.js';
import { capTalkers, pruneSamples, pruneTalkers, SAMPLES_SHOWN, TALKER_ENTRIES_MAX, withDetail } from '../rules/window-detail.js';

/** Seen events are kept this much longer than the overlap, for clock jitter. */
export const SEEN_MARGIN_MS = 10 * MINUTE;
/** Hard bound on the de-duplication memory; the newest are kept. */
export const SEEN_MAX = 50_000;

export function compactState(state: StateFile, rules: readonly Rule[], now: number, overlapMs: number): StateFile {
  return {
    ...state,
    seenEvents: compactSeen(state, now, overlapMs),
    rules: compactRules(state.rules, rules, now),
  };
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

function compactSeen(state: StateFile, now: number, overlapMs: number): Record<string, number> {
  // The next read starts at checkpoint - overlap (the checkpoint may lag
  // behind now after failed runs): everything from there on must be remembered.
  const checkpoint = parsePceTime(state.eventsCheckpoint) ?? now;
  const cutoff = Math.min(checkpoint, now) - overlapMs - SEEN_MARGIN_MS;

  let kept = Object.entries(state.seenEvents).filter(([, at]) => at >= cutoff);
  if (kept.length > SEEN_MAX) kept = kept.sort((a, b) => b[1] - a[1]).slice(0, SEEN_MAX);
  return Object.fromEntries(kept);
}

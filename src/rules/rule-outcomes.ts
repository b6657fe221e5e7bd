/**
 * Per rule type: the window count, whether anything is new since the last
 * alert, the rule's next state, and (if it fires) the alert and the state
 * after firing. evaluate() decides between firing and suppression.
 */
import type { Alert, EventRule, HealthRule, Rule, RuleState, Talker, TrafficRule } from '../types.js';
import { parsePceTime, toIsoZ } from '../util/time.js';
import type { RuleMatches } from './aggregate.js';
import { addTimes, bucketOf, inWindow, pruneBuckets, sumBuckets, windowStartOf, MINUTE } from './history.js';
import { newEventMatches, type NewEventMatches } from './held.js';
import { addTalkers, capTalkers, mergeSamples, pruneTalkers, windowTalkers, withDetail } from './window-detail.js';

export interface RuleOutcome {
  count: number;
  isNew: boolean;
  /** The rule's state if it does not fire. */
  state: RuleState;
  /** The rule's state if it fires (lastAlertAt is set later, on delivery). */
  firedState: RuleState;
  alert: Alert;
  /** Event rules: this run's new matches inside the window, for what a cooldown holds back. */
  fresh?: NewEventMatches;
}

export function emptyRuleState(): RuleState {
  return { buckets: [], newSinceAlert: 0 };
}

export function eventOutcome(rule: EventRule, prev: RuleState, m: RuleMatches | undefined, now: number): RuleOutcome {
  const windowStart = windowStartOf(rule, now);
  const times = m?.eventTimes ?? [];
  const undated = Math.max(0, (m?.count ?? 0) - times.length);
  const all = [...times, ...Array<number>(undated).fill(now)];

  const buckets = pruneBuckets(addTimes(prev.buckets, all, now), windowStart);
  const count = sumBuckets(buckets, windowStart);
  // A late event older than the window is new, but cannot make the rule fire.
  const newInWindow = all.filter((t) => inWindow(t, windowStart)).length;
  const newSinceAlert = Math.min(prev.newSinceAlert + newInWindow, count);

  // Talkers and samples describe the whole window, like the count: this
  // run's matches merged into what earlier runs kept.
  const talkers = pruneTalkers(addTalkers(prev.talkers ?? [], m?.eventTalkers ?? [], now), windowStart);
  const samples = mergeSamples(prev.samples ?? [], m?.samples ?? [], windowStart, now);
  const state = withDetail({ ...prev, buckets, newSinceAlert }, capTalkers(talkers), samples.kept);
  const shown = { topTalkers: windowTalkers(talkers, windowStart), samples: samples.shown };

  const lastSeen = undated > 0 ? now : (m?.lastSeen ?? buckets.at(-1)?.[0]);
  const oldest = buckets[0]?.[0];
  // History from earlier runs starts before this run's first match.
  const firstSeen = oldest !== undefined && (m?.firstSeen === undefined || oldest < bucketOf(m.firstSeen))
    ? Math.max(oldest, windowStart)
    : m?.firstSeen;

  return {
    count,
    isNew: newSinceAlert > 0,
    state,
    firedState: { ...state, newSinceAlert: 0, lastAlertedMatchAt: latest(prev.lastAlertedMatchAt, lastSeen) },
    alert: makeAlert(rule, now, count, m, firstSeen, lastSeen, [], shown),
    fresh: newEventMatches(m, windowStart, now),
  };
}

export function trafficOutcome(rule: TrafficRule, prev: RuleState, m: RuleMatches | undefined, now: number): RuleOutcome {
  const count = m?.count ?? 0;
  const alerted = parsePceTime(prev.lastAlertedMatchAt);
  // Traffic is re-read over the whole window every run: "new" means a
  // matching flow was active after the newest one an alert already covered.
  const isNew = m?.lastSeen !== undefined && (alerted === undefined || m.lastSeen > alerted);
  const state: RuleState = withDetail({ ...prev, buckets: [], newSinceAlert: 0 }, [], []);

  return {
    count,
    isNew,
    state,
    firedState: { ...state, lastAlertedMatchAt: latest(prev.lastAlertedMatchAt, m?.lastSeen) },
    alert: makeAlert(rule, now, count, m, m?.firstSeen, m?.lastSeen, []),
  };
}

export interface HealthInput {
  ok: boolean;
  problems: string[];
}

export function healthOutcome(rule: HealthRule, prev: RuleState, health: HealthInput, now: number): RuleOutcome {
  const windowStart = windowStartOf(rule, now);
  const problems = health.ok ? [] : health.problems.length ? health.problems : ['PCE health is not normal'];
  const keys = [...new Set(problems.map(problemKey))];

  // Each run that sees a problem is one observation in the window.
  const buckets = pruneBuckets(addTimes(prev.buckets, problems.length ? [now] : [], now), windowStart);
  const count = problems.length ? sumBuckets(buckets, windowStart) : 0;

  // Only problems still present stay "already reported", so one that goes
  // away and comes back is new again.
  const alerted = (prev.alertedProblems ?? []).filter((k) => keys.includes(k));
  const newProblem = keys.some((k) => !alerted.includes(k));
  const reminderDue = !inCooldown(rule, prev, now);
  const state: RuleState = withDetail({ ...prev, buckets, newSinceAlert: newProblem ? 1 : 0 }, [], []);
  if (alerted.length) state.alertedProblems = alerted;
  else delete state.alertedProblems;

  return {
    count,
    isNew: problems.length > 0 && (newProblem || reminderDue),
    state,
    firedState: { ...state, newSinceAlert: 0, alertedProblems: keys, lastAlertedMatchAt: toIsoZ(now) },
    alert: makeAlert(rule, now, count, undefined, buckets[0]?.[0], now, problems),
  };
}

/** The subject of a problem line (`cluster x is warning: disk 91%` -> `cluster x is warning`). */
export function problemKey(problem: string): string {
  const colon = problem.indexOf(': ');
  return colon > 0 ? problem.slice(0, colon) : problem;
}

export function inCooldown(rule: Rule, state: RuleState | undefined, now: number): boolean {
  const last = parsePceTime(state?.lastAlertAt);
  return last !== undefined && now < last + rule.cooldownMinutes * MINUTE;
}

function latest(iso: string | undefined, ms: number | undefined): string | undefined {
  const prev = parsePceTime(iso);
  if (ms === undefined) return iso;
  return toIsoZ(prev === undefined ? ms : Math.max(prev, ms));
}

function makeAlert(
  rule: Rule,
  now: number,
  count: number,
  m: RuleMatches | undefined,
  firstSeen: number | undefined,
  lastSeen: number | undefined,
  details: string[],
  shown?: { topTalkers: Talker[]; samples: unknown[] },
): Alert {
  return {
    ruleId: rule.id,
    ruleName: rule.name,
    ruleType: rule.type,
    severity: rule.severity,
    count,
    threshold: rule.threshold,
    windowMinutes: rule.windowMinutes,
    windowStart: toIsoZ(windowStartOf(rule, now)),
    windowEnd: toIsoZ(now),
    firstSeen: firstSeen === undefined ? undefined : toIsoZ(firstSeen),
    lastSeen: lastSeen === undefined ? undefined : toIsoZ(lastSeen),
    topTalkers: shown?.topTalkers ?? m?.topTalkers ?? [],
    samples: shown?.samples ?? m?.samples ?? [],
    // This run's records only: earlier runs' events are counted, not kept.
    records: m?.records ?? [],
    details,
    ...(m ? { recordsMatched: m.matched } : {}),
  };
}

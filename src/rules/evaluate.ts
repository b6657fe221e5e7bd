/**
 * Decide which rules fire this run. A rule fires when (a) its window count
 * reaches the threshold, (b) something is new since its last alert, (c) no
 * earlier alert of it is still waiting in the outbox, and (d) its cooldown,
 * counted from the last delivery, has passed. Matches the cooldown held
 * back are mailed by the first run after it, even when they have left the
 * window by then. Pure: the input state is not
 * changed; the caller saves the returned one.
 */
import { SEVERITIES, type Alert, type HeldMatches, type Rule, type RuleState, type StateFile } from '../types.js';
import { parsePceTime, toIsoZ } from '../util/time.js';
import type { RuleMatches } from './aggregate.js';
import { arm, heldAlert, heldNote, holdEvents, holdTraffic } from './held.js';
import { inWindow } from './history.js';
import {
  emptyRuleState,
  eventOutcome,
  healthOutcome,
  inCooldown,
  trafficOutcome,
  type HealthInput,
  type RuleOutcome,
} from './rule-outcomes.js';

export interface EvaluationInput {
  rules: Rule[];
  state: StateFile;
  now: number;
  /** From EventAggregator (new events only). */
  events: Map<string, RuleMatches>;
  /** undefined = traffic not fetched this run: traffic rules are not evaluated. */
  traffic: Map<string, RuleMatches> | undefined;
  /** undefined = health not checked this run: health rules are not evaluated. */
  health: HealthInput | undefined;
}

export type SuppressReason = 'cooldown' | 'below-threshold' | 'nothing-new' | 'pending-delivery';

export interface Evaluation {
  /** Severity first (critical..info), then rule id. */
  alerts: Alert[];
  /** A new object; fired rules have newSinceAlert reset and lastAlertedMatchAt set, not lastAlertAt. */
  state: StateFile;
  /**
   * Rules held back; below-threshold is listed only when the count is above 0.
   * `held`: the matches a cooldown holds for the mail sent when it ends.
   */
  suppressed: { ruleId: string; reason: SuppressReason; count: number; held?: number }[];
  /** Enabled rules whose data was available this run. */
  evaluated: number;
}

export function evaluate(input: EvaluationInput): Evaluation {
  const { rules, state, now } = input;
  const next: StateFile = { ...state, rules: { ...state.rules } };
  const pending = new Set(state.outbox.flatMap((m) => m.ruleIds));
  const result: Evaluation = { alerts: [], state: next, suppressed: [], evaluated: 0 };

  for (const rule of rules) {
    if (rule.enabled === false) continue;
    const prev = state.rules[rule.id] ?? emptyRuleState();
    const outcome = outcomeOf(rule, prev, input);
    if (!outcome) continue;
    result.evaluated++;

    const decision = decide(rule, outcome, prev, pending.has(rule.id), now);
    next.rules[rule.id] = decision.state;
    if (decision.alert) result.alerts.push(decision.alert);
    else if (decision.reason !== 'below-threshold' || outcome.count > 0) {
      const entry: Evaluation['suppressed'][number] = { ruleId: rule.id, reason: decision.reason, count: outcome.count };
      if (decision.held !== undefined) entry.held = decision.held;
      result.suppressed.push(entry);
    }
  }

  result.alerts.sort(bySeverityThenId);
  return result;
}

function outcomeOf(rule: Rule, prev: RuleState, input: EvaluationInput): RuleOutcome | undefined {
  switch (rule.type) {
    case 'event':
      return eventOutcome(rule, prev, input.events.get(rule.id), input.now);
    case 'traffic':
      return input.traffic && trafficOutcome(rule, prev, input.traffic.get(rule.id), input.now);
    case 'health':
      return input.health && healthOutcome(rule, prev, input.health, input.now);
  }
}

type Decision =
  | { alert: Alert; state: RuleState; reason?: undefined; held?: undefined }
  | { alert?: undefined; state: RuleState; reason: SuppressReason; held: number | undefined };

/**
 * Fire, hold or suppress. While a rule cools down (or its mail waits), its
 * new matches are held; once they reach the threshold under the cooldown,
 * the first run after it mails them (see held.ts).
 */
function decide(rule: Rule, outcome: RuleOutcome, prev: RuleState, pendingMail: boolean, now: number): Decision {
  const waiting = pendingMail && rule.cooldownMinutes > 0;
  // Health rules remind after their cooldown on their own.
  const holds = rule.type !== 'health' && rule.cooldownMinutes > 0;
  const cooling = holds && (waiting || inCooldown(rule, prev, now));

  let held = holds ? prev.held : undefined;
  if (outcome.fresh && (cooling || held?.since)) held = holdEvents(held, outcome.fresh, now);
  const reason = suppression(rule, outcome, waiting, prev, now);

  if (held?.since && !cooling) return fireHeld(rule, outcome, prev, held, reason);
  if (!reason) return { alert: outcome.alert, state: withHeld(outcome.firedState, undefined) };

  if (reason === 'cooldown' || reason === 'pending-delivery') {
    if (rule.type === 'traffic') held = holdTraffic(held, outcome.alert);
    // Held event matches owe a mail only when they reach the threshold by themselves.
    if (held && held.count >= rule.threshold) held = arm(held, now);
  }
  // The cooldown is over and nothing it held reached the threshold: the normal rules apply.
  if (!cooling) held = undefined;
  return { reason, held: held?.since ? held.count : undefined, state: withHeld(outcome.state, held) };
}

/**
 * The cooldown is over and it held matches back: one alert for them. When
 * this run's window fires anyway and still holds them all, that alert
 * carries the note instead.
 */
function fireHeld(rule: Rule, outcome: RuleOutcome, prev: RuleState, held: HeldMatches, reason: SuppressReason | undefined): Decision {
  const event = rule.type === 'event';
  const first = parsePceTime(held.firstSeen);
  const windowStart = parsePceTime(outcome.alert.windowStart) ?? 0;
  const covered = !reason && (!event || (first !== undefined && inWindow(first, windowStart)));

  if (covered) {
    const alert = { ...outcome.alert, held: heldNote(held, rule.cooldownMinutes) };
    return { alert, state: withHeld(outcome.firedState, undefined) };
  }
  const alert = heldAlert(outcome.alert, held, rule.cooldownMinutes, event);
  // Traffic: newer flows of this run that are not in the held alert stay new.
  const base = event ? outcome.firedState : { ...outcome.state, lastAlertedMatchAt: prev.lastAlertedMatchAt };
  const lastAlertedMatchAt = latestIso(base.lastAlertedMatchAt, held.lastSeen);
  return { alert, state: withHeld({ ...base, ...(lastAlertedMatchAt ? { lastAlertedMatchAt } : {}) }, undefined) };
}

function withHeld(state: RuleState, held: HeldMatches | undefined): RuleState {
  const next: RuleState = { ...state };
  if (held) next.held = held;
  else delete next.held;
  return next;
}

function latestIso(a: string | undefined, b: string | undefined): string | undefined {
  const [x, y] = [parsePceTime(a), parsePceTime(b)];
  if (x === undefined) return b;
  if (y === undefined) return a;
  return x >= y ? a : b;
}

function suppression(
  rule: Rule,
  outcome: RuleOutcome,
  pendingDelivery: boolean,
  prev: RuleState | undefined,
  now: number,
): SuppressReason | undefined {
  if (outcome.count === 0 || outcome.count < rule.threshold) return 'below-threshold';
  if (!outcome.isNew) return 'nothing-new';
  // The kept message stands in for a cooldown; a rule without one alerts each run's new matches,
  // which would otherwise never be listed in any mail.
  if (pendingDelivery && rule.cooldownMinutes > 0) return 'pending-delivery';
  if (inCooldown(rule, prev, now)) return 'cooldown';
  return undefined;
}

function bySeverityThenId(a: Alert, b: Alert): number {
  const bySeverity = SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity);
  return bySeverity || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}

/** The relay accepted the alert mail of these rules: their cooldown starts now. */
export function markDelivered(state: StateFile, ruleIds: string[], at: number): StateFile {
  const rules = { ...state.rules };
  for (const id of new Set(ruleIds)) {
    rules[id] = { ...(rules[id] ?? emptyRuleState()), lastAlertAt: toIsoZ(at) };
  }
  return { ...state, rules };
}

export { compileRules } from './compile.js';

/**
 * Decide which rules fire this run. A rule fires when (a) its window count
 * reaches the threshold, (b) something is new since its last alert, (c) no
 * earlier alert of it is still waiting in the outbox, and (d) its cooldown,
 * counted from the last delivery, has passed. Pure: the input state is not
 * changed; the caller saves the returned one.
 */
import { SEVERITIES, type Alert, type Rule, type RuleState, type StateFile } from '../types.js';
import { toIsoZ } from '../util/time.js';
import type { RuleMatches } from './aggregate.js';
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
  /** Rules held back; below-threshold is listed only when the count is above 0. */
  suppressed: { ruleId: string; reason: SuppressReason; count: number }[];
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
    const outcome = outcomeOf(rule, state.rules[rule.id] ?? emptyRuleState(), input);
    if (!outcome) continue;
    result.evaluated++;

    const reason = suppression(rule, outcome, pending.has(rule.id), state.rules[rule.id], now);
    if (reason) {
      next.rules[rule.id] = outcome.state;
      if (reason !== 'below-threshold' || outcome.count > 0) {
        result.suppressed.push({ ruleId: rule.id, reason, count: outcome.count });
      }
    } else {
      next.rules[rule.id] = outcome.firedState;
      result.alerts.push(outcome.alert);
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

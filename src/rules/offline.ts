/**
 * Offline rule evaluation for `rules test`: saved events and flows go
 * through the same aggregators and evaluate() as a run, starting from an
 * empty state, with no network and nothing written. Per rule it says
 * whether the rule would fire and why: count against threshold, window,
 * top talkers.
 */
import type { Alert, PceEvent, Rule, StateFile, Talker, TrafficFlow } from '../types.js';
import { parsePceTime, toIsoZ } from '../util/time.js';
import { EventAggregator, TrafficAggregator, type RuleMatches } from './aggregate.js';
import { evaluate, type SuppressReason } from './evaluate.js';
import { emptyRuleState, eventOutcome, trafficOutcome } from './rule-outcomes.js';

export interface OfflineInput {
  rules: Rule[];
  /** undefined = no events were given: event rules are not evaluated. */
  events: unknown[] | undefined;
  /** undefined = no flows were given: traffic rules are not evaluated. */
  flows: unknown[] | undefined;
  now: number;
  csvMaxRows: number;
}

export type Verdict = 'fires' | SuppressReason | 'not-evaluated' | 'disabled';

export interface RuleVerdict {
  ruleId: string;
  name: string;
  type: Rule['type'];
  verdict: Verdict;
  /** Why, in one line (also for verdicts that need no numbers). */
  reason: string;
  count: number;
  threshold: number;
  windowMinutes: number;
  windowStart: string;
  windowEnd: string;
  /** Matching records inside the window (events: distinct events; traffic: flows, whatever their connections). */
  matched: number;
  firstSeen: string | undefined;
  lastSeen: string | undefined;
  topTalkers: Talker[];
}

export interface OfflineResult {
  now: string;
  events: number;
  flows: number;
  rules: RuleVerdict[];
  /** What a run at `now` with an empty state would raise, in mail order. */
  alerts: Alert[];
}

const EMPTY_STATE: StateFile = { version: 1, seenEvents: {}, rules: {}, outbox: [] };

export function evaluateOffline(input: OfflineInput): OfflineResult {
  const { rules, now } = input;
  const eventMatches = input.events && aggregateEvents(rules, input.events, now, input.csvMaxRows);
  const trafficMatches = input.flows && aggregateFlows(rules, input.flows, now, input.csvMaxRows);

  // The real decision, exactly as a run takes it.
  const evaluation = evaluate({
    rules,
    state: EMPTY_STATE,
    now,
    events: eventMatches ?? new Map(),
    traffic: trafficMatches,
    health: undefined,
  });
  const fired = new Set(evaluation.alerts.map((a) => a.ruleId));
  const held = new Map(evaluation.suppressed.map((s) => [s.ruleId, s.reason]));

  return {
    now: toIsoZ(now),
    events: input.events?.length ?? 0,
    flows: input.flows?.length ?? 0,
    rules: rules.map((rule) => verdictOf(rule, input, eventMatches, trafficMatches, fired, held)),
    alerts: evaluation.alerts,
  };
}

/** Oldest first, as a run feeds them; events after `now` had not happened yet. */
function aggregateEvents(rules: Rule[], events: unknown[], now: number, csvMaxRows: number): Map<string, RuleMatches> {
  const aggregator = new EventAggregator(rules.filter((r) => r.type === 'event'), { csvMaxRows, now });
  const timed = events
    .filter((e): e is PceEvent => e !== null && typeof e === 'object')
    .map((event) => ({ event, at: parsePceTime(event.timestamp) ?? now }))
    .filter(({ at }) => at <= now)
    .sort((a, b) => a.at - b.at);
  for (const { event } of timed) aggregator.add(event);
  return aggregator.results();
}

function aggregateFlows(rules: Rule[], flows: unknown[], now: number, csvMaxRows: number): Map<string, RuleMatches> {
  const aggregator = new TrafficAggregator(rules.filter((r) => r.type === 'traffic'), { now, csvMaxRows });
  for (const flow of flows) aggregator.add(flow as TrafficFlow);
  return aggregator.results();
}

function verdictOf(
  rule: Rule,
  input: OfflineInput,
  events: Map<string, RuleMatches> | undefined,
  traffic: Map<string, RuleMatches> | undefined,
  fired: Set<string>,
  held: Map<string, SuppressReason>,
): RuleVerdict {
  const matches = rule.type === 'event' ? events : rule.type === 'traffic' ? traffic : undefined;
  const m = matches?.get(rule.id);
  const outcome = m && (rule.type === 'event' ? eventOutcome(rule, emptyRuleState(), m, input.now) : rule.type === 'traffic' ? trafficOutcome(rule, emptyRuleState(), m, input.now) : undefined);
  const alert = outcome?.alert;

  const base: RuleVerdict = {
    ruleId: rule.id,
    name: rule.name,
    type: rule.type,
    verdict: 'not-evaluated',
    reason: '',
    count: outcome?.count ?? 0,
    threshold: rule.threshold,
    windowMinutes: rule.windowMinutes,
    windowStart: toIsoZ(input.now - rule.windowMinutes * 60_000),
    windowEnd: toIsoZ(input.now),
    matched: m?.matched ?? 0,
    firstSeen: alert?.firstSeen,
    lastSeen: alert?.lastSeen,
    topTalkers: alert?.topTalkers ?? [],
  };

  if (rule.enabled === false) return { ...base, verdict: 'disabled', reason: 'disabled in the config' };
  if (rule.type === 'health') return { ...base, reason: 'health is checked live only (run or doctor)' };
  if (!matches) return { ...base, reason: `no ${rule.type === 'event' ? '--events' : '--flows'} file given` };

  const cmp = `${base.count} ${base.count >= rule.threshold ? '>=' : '<'} threshold ${rule.threshold}`;
  if (fired.has(rule.id)) return { ...base, verdict: 'fires', reason: cmp };
  const reason = held.get(rule.id) ?? 'below-threshold';
  return { ...base, verdict: reason, reason: reason === 'below-threshold' ? cmp : `${cmp}, but ${reason}` };
}

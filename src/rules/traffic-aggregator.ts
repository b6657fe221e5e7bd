/**
 * Feed flows one by one (straight from the streamed download); each enabled
 * traffic rule sums the connections of its matching flows inside its window.
 * Talkers are interned once per distinct `src -> dst service`, and each rule
 * counts them in a Map keyed by that object: memory follows distinct talkers
 * and the record cap, not the number of flows.
 */
import type { TrafficFlow, TrafficRule } from '../types.js';
import type { RuleMatches } from './aggregate.js';
import { TrafficIndex } from './compile.js';
import { FlowView, type CompiledTrafficRule } from './match-traffic.js';
import { flowTalker, topTalkers, type TalkerInfo } from './talkers.js';

class TrafficRuleAccumulator {
  count = 0;
  matched = 0;
  first: number | undefined;
  last: number | undefined;
  talkers = new Map<TalkerInfo, number>();
  samples: TrafficFlow[] = [];
  records: TrafficFlow[] = [];

  constructor(readonly compiled: CompiledTrafficRule, private readonly cap: number) {}

  add(view: FlowView, talker: TalkerInfo, connections: number): void {
    this.count += connections;
    this.matched++;
    this.first = this.first === undefined || view.at < this.first ? view.at : this.first;
    this.last = this.last === undefined || view.at > this.last ? view.at : this.last;
    this.talkers.set(talker, (this.talkers.get(talker) ?? 0) + connections);
    if (this.samples.length < 2) this.samples.push(view.flow);
    if (this.records.length < this.cap) this.records.push(view.flow);
  }

  result(): RuleMatches {
    return {
      ruleId: this.compiled.rule.id,
      count: this.count,
      matched: this.matched,
      firstSeen: this.first,
      lastSeen: this.last,
      topTalkers: topTalkers(this.talkers),
      samples: this.samples,
      records: this.records,
    };
  }
}

/** num_connections, or 1 where it is absent or not a positive whole number. */
export function connections(flow: TrafficFlow): number {
  const n = flow.num_connections;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : 1;
}

export class TrafficAggregator {
  private readonly index: TrafficIndex;
  private readonly accumulators = new Map<CompiledTrafficRule, TrafficRuleAccumulator>();
  private readonly talkers = new Map<string, TalkerInfo>();
  private readonly now: number;

  constructor(rules: TrafficRule[], opts: { now: number; csvMaxRows: number }) {
    this.now = opts.now;
    this.index = new TrafficIndex(rules.filter((r) => r.enabled !== false), opts.now);
    for (const c of this.index.rules) {
      this.accumulators.set(c, new TrafficRuleAccumulator(c, Math.max(0, opts.csvMaxRows)));
    }
  }

  /** True when at least one rule matched the flow. */
  add(flow: TrafficFlow): boolean {
    if (flow === null || typeof flow !== 'object') return false;
    const candidates = this.index.candidates(String(flow.policy_decision));
    if (candidates.length === 0) return false;

    const view = new FlowView(flow, this.now);
    let talker: TalkerInfo | undefined;
    for (const c of candidates) {
      if (!c.matches(view)) continue;
      talker ??= this.intern(flow);
      this.accumulators.get(c)?.add(view, talker, connections(flow));
    }
    return talker !== undefined;
  }

  /** One entry per enabled rule, also for rules with no match. */
  results(): Map<string, RuleMatches> {
    return new Map([...this.accumulators.values()].map((acc) => [acc.compiled.rule.id, acc.result()]));
  }

  private intern(flow: TrafficFlow): TalkerInfo {
    const info = flowTalker(flow);
    const known = this.talkers.get(info.label);
    if (known) return known;
    this.talkers.set(info.label, info);
    return info;
  }
}

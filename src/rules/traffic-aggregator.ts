/**
 * Feed flows one by one (straight from the streamed download); each enabled
 * traffic rule sums the connections of its matching flows inside its window.
 *
 * Talkers are interned once per distinct `src -> dst service`, and each
 * talker carries a short flat list of [rule index, connections] pairs for
 * the rules it matched: no per-rule hash maps, so 50 rules cost little more
 * than one, and memory follows distinct talkers and the record cap, never
 * the number of flows.
 */
import type { Talker, TrafficFlow, TrafficRule } from '../types.js';
import type { RuleMatches } from './aggregate.js';
import { TrafficIndex } from './compile.js';
import { FlowView, type CompiledTrafficRule } from './match-traffic.js';
import { TOP_TALKERS, flowTalkerKey, insertTop, labelText, type TalkerInfo } from './talkers.js';

/**
 * Per distinct talker, one small integer array (the Map key is its label):
 * [srcLength, dstLength, srcLabelsId, dstLabelsId, rule, connections, rule,
 * connections...]. The parts of the label are recovered from the lengths,
 * and label texts are shared by id: a few dozen bytes per talker, however
 * many rules it matched.
 */
type TalkerCounts = number[];
const HEAD = 4;

class TrafficRuleAccumulator {
  count = 0;
  matched = 0;
  first: number | undefined;
  last: number | undefined;
  samples: TrafficFlow[] = [];
  records: unknown[] = [];

  constructor(readonly compiled: CompiledTrafficRule, private readonly cap: number) {}

  /** `kept` gives the record to keep for the CSV, made at most once per flow. */
  add(view: FlowView, connections: number, kept: () => unknown): void {
    this.count += connections;
    this.matched++;
    if (this.first === undefined || view.at < this.first) this.first = view.at;
    if (this.last === undefined || view.at > this.last) this.last = view.at;
    if (this.samples.length < 2) this.samples.push(view.flow);
    if (this.records.length < this.cap) this.records.push(kept());
  }

  result(topTalkers: Talker[]): RuleMatches {
    return {
      ruleId: this.compiled.rule.id,
      count: this.count,
      matched: this.matched,
      firstSeen: this.first,
      lastSeen: this.last,
      topTalkers,
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
  private readonly accumulators: TrafficRuleAccumulator[];
  private readonly ruleIndex = new Map<CompiledTrafficRule, number>();
  private readonly talkers = new Map<string, TalkerCounts>();
  private readonly labelTexts: string[] = [];
  private readonly labelIds = new Map<string, number>();
  private readonly now: number;

  private readonly keepRecord: (flow: TrafficFlow) => unknown;

  /**
   * `keepRecord` reduces a matched flow to what the CSV attachment needs
   * (default: the flow itself); with many rules x csvMaxRows records, the
   * raw flows would dominate the run's memory.
   */
  constructor(
    rules: TrafficRule[],
    opts: { now: number; csvMaxRows: number; keepRecord?: (flow: TrafficFlow) => unknown },
  ) {
    this.now = opts.now;
    this.keepRecord = opts.keepRecord ?? ((flow) => flow);
    this.index = new TrafficIndex(rules.filter((r) => r.enabled !== false), opts.now);
    this.accumulators = this.index.rules.map((c, i) => {
      this.ruleIndex.set(c, i);
      return new TrafficRuleAccumulator(c, Math.max(0, opts.csvMaxRows));
    });
  }

  /** True when at least one rule matched the flow. */
  add(flow: TrafficFlow): boolean {
    if (flow === null || typeof flow !== 'object') return false;
    const candidates = this.index.candidates(String(flow.policy_decision));
    if (candidates.length === 0) return false;

    const view = new FlowView(flow, this.now);
    const conns = connections(flow);
    let talker: TalkerCounts | undefined;
    let record: unknown;
    const kept = () => (record ??= this.keepRecord(flow));
    for (let c = 0; c < candidates.length; c++) {
      const compiled = candidates[c]!;
      if (!compiled.matches(view)) continue;
      const i = this.ruleIndex.get(compiled)!;
      this.accumulators[i]!.add(view, conns, kept);
      if (talker) addPair(talker, i, conns);
      else talker = this.intern(flow, i, conns);
    }
    return talker !== undefined;
  }

  /** One entry per enabled rule, also for rules with no match. */
  results(): Map<string, RuleMatches> {
    const tops = this.topPerRule();
    return new Map(this.accumulators.map((acc, i) => [acc.compiled.rule.id, acc.result(tops[i] ?? [])]));
  }

  private topPerRule(): Talker[][] {
    const tops = this.accumulators.map((): [{ label: string; counts: TalkerCounts }, number][] => []);
    for (const [label, counts] of this.talkers) {
      for (let p = HEAD; p < counts.length; p += 2) insertTop(tops[counts[p]!]!, [{ label, counts }, counts[p + 1]!], TOP_TALKERS);
    }
    return tops.map((top) => top.map(([t, count]) => ({ ...this.talkerParts(t.label, t.counts), count })));
  }

  private talkerParts(label: string, counts: TalkerCounts): TalkerInfo {
    const [srcLength = 0, dstLength = 0, srcLabels = 0, dstLabels = 0] = counts;
    const dstStart = srcLength + ' -> '.length;
    return {
      label,
      src: label.slice(0, srcLength),
      srcLabels: this.labelTexts[srcLabels] ?? '',
      dst: label.slice(dstStart, dstStart + dstLength),
      dstLabels: this.labelTexts[dstLabels] ?? '',
      service: label.slice(dstStart + dstLength + 1),
    };
  }

  /** The flow's talker, with its first matching rule counted. */
  private intern(flow: TrafficFlow, rule: number, conns: number): TalkerCounts {
    const key = flowTalkerKey(flow);
    const known = this.talkers.get(key.label);
    if (known) {
      addPair(known, rule, conns);
      return known;
    }

    const labels = [this.labelId(labelText(flow.src)), this.labelId(labelText(flow.dst))];
    const counts = [key.src.length, key.dst.length, ...labels, rule, conns];
    this.talkers.set(key.label, counts);
    return counts;
  }

  private labelId(text: string): number {
    let id = this.labelIds.get(text);
    if (id === undefined) {
      id = this.labelTexts.push(text) - 1;
      this.labelIds.set(text, id);
    }
    return id;
  }
}

function addPair(pairs: TalkerCounts, rule: number, conns: number): void {
  for (let p = HEAD; p < pairs.length; p += 2) {
    if (pairs[p] === rule) {
      pairs[p + 1]! += conns;
      return;
    }
  }
  pairs.push(rule, conns);
}

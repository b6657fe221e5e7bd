/**
 * Feed new events one by one; each enabled event rule collects its matches.
 * Events are de-duplicated by href upstream (the run's seen-set); the guard
 * here keeps a repeated href from counting twice within one run anyway.
 */
import type { EventRule, PceEvent } from '../types.js';
import { parsePceTime } from '../util/time.js';
import type { RuleMatches } from './aggregate.js';
import { compileEventRule, type CompiledEventRule } from './match-event.js';
import { bucketOf } from './history.js';
import { eventSource, topTalkers } from './talkers.js';
import { talkerLabel } from './window-detail.js';

interface Timed {
  at: number;
  seq: number;
  ev: PceEvent;
}

class EventRuleAccumulator {
  count = 0;
  times: number[] = [];
  first: number | undefined;
  last: number | undefined;
  talkers = new Map<string, number>();
  /** Per minute and source, for the window's talker history (undated: minute undefined). */
  talkerMinutes = new Map<string, [number | undefined, string, number]>();
  samples: Timed[] = [];
  records: Timed[] = [];

  constructor(
    readonly compiled: CompiledEventRule,
    private readonly cap: number,
    /** Events older than this are outside the rule's window: read, but not counted or shown. */
    readonly windowStart: number,
  ) {}

  add(item: Timed, dated: boolean): void {
    this.count++;
    if (dated) {
      this.times.push(item.at);
      this.first = Math.min(this.first ?? item.at, item.at);
      this.last = Math.max(this.last ?? item.at, item.at);
    }

    const source = talkerLabel(eventSource(item.ev));
    this.talkers.set(source, (this.talkers.get(source) ?? 0) + 1);
    this.countMinute(dated ? bucketOf(item.at) : undefined, source);
    if (this.records.length < this.cap) this.records.push(item);
    keepOldest(this.samples, item, 2);
  }

  private countMinute(minute: number | undefined, source: string): void {
    const key = `${minute ?? 'now'} ${source}`;
    const entry = this.talkerMinutes.get(key);
    if (entry) entry[2]++;
    else this.talkerMinutes.set(key, [minute, source, 1]);
  }

  result(): RuleMatches {
    const counts = new Map([...this.talkers].map(([label, n]) => [{ label, src: label }, n] as const));
    return {
      ruleId: this.compiled.rule.id,
      count: this.count,
      matched: this.count,
      firstSeen: this.first,
      lastSeen: this.last,
      topTalkers: topTalkers(counts),
      samples: this.samples.map((s) => s.ev),
      records: [...this.records].sort(byTime).map((r) => r.ev),
      eventTimes: this.times,
      eventTalkers: [...this.talkerMinutes.values()],
    };
  }
}

/** Keep the `n` oldest items (by time, then arrival), oldest first. */
function keepOldest(list: Timed[], item: Timed, n: number): void {
  list.push(item);
  list.sort(byTime);
  if (list.length > n) list.length = n;
}

function byTime(a: Timed, b: Timed): number {
  return a.at - b.at || a.seq - b.seq;
}

export class EventAggregator {
  private readonly rules: EventRuleAccumulator[];
  private readonly seen = new Set<string>();
  private seq = 0;

  /**
   * With `now`, each rule keeps only events inside its own window, so the
   * talkers, samples and CSV of an alert describe the same events as its count
   * (a first run or a long overlap reads further back than a short window).
   */
  constructor(rules: EventRule[], opts: { csvMaxRows: number; now?: number }) {
    this.rules = rules
      .filter((r) => r.enabled !== false)
      .map(
        (r) =>
          new EventRuleAccumulator(
            compileEventRule(r),
            Math.max(0, opts.csvMaxRows),
            opts.now === undefined ? -Infinity : opts.now - r.windowMinutes * 60_000,
          ),
      );
  }

  /** True when at least one rule matched the event. */
  add(ev: PceEvent): boolean {
    if (typeof ev.href === 'string') {
      if (this.seen.has(ev.href)) return false;
      this.seen.add(ev.href);
    }

    const parsed = parsePceTime(ev.timestamp);
    // Undated events sort after every dated one: they count as "now".
    const item: Timed = { at: parsed ?? Number.MAX_SAFE_INTEGER, seq: this.seq++, ev };
    let matched = false;
    for (const acc of this.rules) {
      if (parsed !== undefined && parsed < acc.windowStart) continue;
      if (!acc.compiled.matches(ev)) continue;
      acc.add(item, parsed !== undefined);
      matched = true;
    }
    return matched;
  }

  /** One entry per enabled rule, also for rules with no match. */
  results(): Map<string, RuleMatches> {
    return new Map(this.rules.map((acc) => [acc.compiled.rule.id, acc.result()]));
  }
}

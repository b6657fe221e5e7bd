/**
 * What the aggregators hand to evaluate(): per rule, the matches of this run
 * with their count, time span, top talkers, first two raw records and a
 * capped list of records for the CSV attachment.
 */
import type { Talker } from '../types.js';

export interface RuleMatches {
  ruleId: string;
  /** Events: distinct matches this run; traffic: connections in the window. */
  count: number;
  /** Records matched this run (the true total; `records` is capped). */
  matched: number;
  /** ms, of the matched records. */
  firstSeen?: number;
  lastSeen?: number;
  /** Top 5 by count, ties by label. */
  topTalkers: Talker[];
  /** The first 2 matching raw records (events: oldest first; flows: arrival order). */
  samples: unknown[];
  /** Matched records, capped at csvMaxRows. */
  records: unknown[];
  /**
   * Event rules: timestamps of the new matches, for the history buckets.
   * An event without a readable timestamp has no entry here; evaluate()
   * places those `count - eventTimes.length` matches at "now".
   */
  eventTimes?: number[];
  /**
   * Event rules: [minuteStartMs, source, count] of the new matches, for the
   * window's talker history; undefined minute = no readable timestamp ("now").
   */
  eventTalkers?: [number | undefined, string, number][];
}

export { EventAggregator } from './event-aggregator.js';
export { TrafficAggregator } from './traffic-aggregator.js';

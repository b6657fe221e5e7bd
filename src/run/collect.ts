/**
 * Step 1 of a run: read what the PCE has since the checkpoint and feed it,
 * record by record, into the rule aggregators. A failure is reported as a
 * failure, never as "nothing happened".
 */
import type { Context } from '../context.js';
import { errorMessage, PceError } from '../errors.js';
import type { PceClient } from '../pce/client.js';
import { fetchEvents } from '../pce/events.js';
import { queryTraffic } from '../pce/traffic.js';
import { EventAggregator, TrafficAggregator, type RuleMatches } from '../rules/aggregate.js';
import type {
  EventRule,
  PolicyDecision,
  ResolvedConfig,
  Rule,
  StateFile,
  TrafficRule,
} from '../types.js';
import { parsePceTime, toIsoZ } from '../util/time.js';
import { csvRow } from '../alert/records.js';
import { printable } from '../util/printable.js';
import type { RecordLog } from './record-log.js';

const MINUTE = 60_000;

export interface EventsOutcome {
  from: string;
  to: string;
  fetched: number;
  new: number;
  complete: boolean;
  readUntil: string | undefined;
  skipped: number;
  matches: Map<string, RuleMatches>;
  /** href -> timestamp of the new events, for the de-duplication memory. */
  seen: Map<string, number>;
  error?: string;
  /** The PCE did not answer at all (network or TLS), as opposed to answering badly. */
  unreachable: boolean;
}

export interface TrafficOutcome {
  from: string;
  to: string;
  flows: number;
  matchesCount: number;
  flowsCount: number;
  truncated: boolean;
  skipped: number;
  matches: Map<string, RuleMatches> | undefined;
  error?: string;
}

export interface HealthOutcome {
  ok: boolean;
  problems: string[];
}

export function enabled<T extends Rule['type']>(rules: Rule[], type: T): Extract<Rule, { type: T }>[] {
  return rules.filter((r) => r.enabled !== false && r.type === type) as Extract<Rule, { type: T }>[];
}

function longestWindow(rules: Rule[]): number {
  return Math.max(0, ...rules.map((r) => r.windowMinutes)) * MINUTE;
}

/** Where this run's event read starts: checkpoint minus overlap, or a first-run look-back. */
export function eventsStart(config: ResolvedConfig, state: StateFile, rules: EventRule[], now: number): number {
  const checkpoint = state.eventsCheckpoint ? parsePceTime(state.eventsCheckpoint) : undefined;
  if (checkpoint !== undefined) {
    const overlapStart = Math.min(checkpoint, now) - config.monitor.overlapMinutes * MINUTE;
    // After a flood the de-duplication memory is complete only from seenSince on.
    const complete = parsePceTime(state.seenSince);
    return complete === undefined ? overlapStart : Math.max(overlapStart, Math.min(complete, checkpoint));
  }
  return now - Math.max(config.monitor.firstRunLookbackMinutes * MINUTE, longestWindow(rules));
}

/**
 * Events of the overlap that earlier runs already read: they are read again
 * (late ones may have joined them) but must not use up the per-run ceiling,
 * or a busy overlap would hold the checkpoint still for ever.
 */
function rereadCount(state: StateFile, from: number): number {
  let n = 0;
  for (const at of Object.values(state.seenEvents)) if (at >= from) n++;
  return n;
}

export async function collectEvents(
  client: PceClient,
  config: ResolvedConfig,
  state: StateFile,
  now: number,
  log: Pick<RecordLog, 'add'>,
): Promise<EventsOutcome> {
  const rules = enabled(config.rules, 'event');
  const from = eventsStart(config, state, rules, now);
  const outcome: EventsOutcome = {
    from: toIsoZ(from),
    to: toIsoZ(now),
    fetched: 0,
    new: 0,
    complete: false,
    readUntil: undefined,
    skipped: 0,
    matches: new Map(),
    seen: new Map(),
    unreachable: false,
  };

  try {
    const result = await fetchEvents(client, {
      from,
      to: now,
      pageSize: config.monitor.eventsPageSize,
      maxTotal: config.monitor.maxEventsPerRun + rereadCount(state, from),
    });
    const aggregator = new EventAggregator(rules, { csvMaxRows: config.email.csvMaxRows, now });

    // Oldest first, so samples and history read in time order.
    const ordered = result.events
      .map((event) => ({ event, at: parsePceTime(event.timestamp) ?? now }))
      .filter(({ at }) => at <= result.readUntil)
      .sort((a, b) => a.at - b.at);

    for (const { event, at } of ordered) {
      if (state.seenEvents[event.href] !== undefined || outcome.seen.has(event.href)) continue;
      outcome.seen.set(event.href, at);
      log.add('events', event);
      aggregator.add(event);
    }

    outcome.fetched = result.events.length;
    outcome.new = outcome.seen.size;
    outcome.complete = result.complete;
    outcome.readUntil = toIsoZ(result.readUntil);
    outcome.skipped = result.skipped;
    outcome.matches = aggregator.results();
    if (!result.complete) {
      outcome.error = `event fetch incomplete: stopped after ${result.events.length} events (monitor.maxEventsPerRun); read up to ${outcome.readUntil}, the rest is read next run`;
    }
  } catch (err) {
    outcome.error = `events: ${errorMessage(err)}`;
    if (err instanceof PceError && err.hint) outcome.error += ` (${err.hint})`;
    outcome.unreachable = !(err instanceof PceError) || err.status === undefined;
  }
  return outcome;
}

export async function collectTraffic(
  client: PceClient,
  config: ResolvedConfig,
  now: number,
  ctx: Context,
  log: Pick<RecordLog, 'add'>,
): Promise<TrafficOutcome | undefined> {
  const rules = enabled(config.rules, 'traffic');
  if (rules.length === 0) return undefined;

  const from = now - longestWindow(rules);
  const decisions = [...new Set(rules.flatMap((r: TrafficRule) => r.policyDecisions))] as PolicyDecision[];
  const outcome: TrafficOutcome = {
    from: toIsoZ(from),
    to: toIsoZ(now),
    flows: 0,
    matchesCount: 0,
    flowsCount: 0,
    truncated: false,
    skipped: 0,
    matches: undefined,
  };

  const aggregator = new TrafficAggregator(rules, {
    now,
    csvMaxRows: config.email.csvMaxRows,
    keepRecord: (flow) => csvRow('traffic', flow),
  });
  try {
    const result = await queryTraffic(
      client,
      {
        start: from,
        end: now,
        policyDecisions: decisions,
        maxResults: config.monitor.trafficMaxResults,
        deadlineMs: config.monitor.trafficQueryDeadlineSeconds * 1000,
        queryName: `illumio-monitor ${toIsoZ(now)} ${process.pid}`,
        onProgress: progressReporter(ctx),
      },
      (flow) => {
        if (aggregator.add(flow)) log.add('flows', flow);
      },
    );
    outcome.flows = result.flows;
    outcome.matchesCount = result.matchesCount;
    outcome.flowsCount = result.flowsCount;
    outcome.truncated = result.truncated;
    outcome.skipped = result.skipped;
    outcome.matches = aggregator.results();
  } catch (err) {
    outcome.error = `traffic: ${errorMessage(err)}`;
    if (err instanceof PceError && err.hint) outcome.error += ` (${err.hint})`;
  }
  return outcome;
}

/** A progress line on stderr while the query runs, only on a terminal. */
function progressReporter(ctx: Context): ((status: string, elapsedMs: number) => void) | undefined {
  if (!ctx.stderrIsTty) return undefined;
  return (status, elapsedMs) => ctx.log.info(`traffic query ${status} (${Math.round(elapsedMs / 1000)} s)`);
}

export async function collectHealth(client: PceClient, reachable: boolean, reason?: string): Promise<HealthOutcome> {
  if (!reachable) return { ok: false, problems: [`PCE unreachable: ${reason ?? 'no answer'}`] };
  try {
    const clusters = await client.health();
    const problems = clusters
      .filter((c) => c.status !== 'normal')
      .map((c) => {
        const notes = (c.notifications ?? []).map((n) => n.message ?? n.token).filter(Boolean);
        return printable(`cluster ${c.fqdn ?? '?'} is ${c.status ?? 'unknown'}${notes.length ? `: ${notes.join('; ')}` : ''}`);
      });
    return { ok: problems.length === 0, problems };
  } catch (err) {
    return { ok: false, problems: [`PCE health check failed: ${errorMessage(err)}`] };
  }
}

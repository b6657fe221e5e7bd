/**
 * Everything the PCE simulator knows and the knobs tests turn: records,
 * their hidden indexing times, async jobs and traffic queries.
 */
import type { HealthCluster, PceEvent, PolicyDecision, TrafficFlow } from '../types.js';
import { parsePceTime } from '../util/time.js';
import type { FlowSource } from './flow-source.js';

/** An event as given to addEvents: hidden fields are taken off before storing. */
export type SimEventInput = PceEvent & {
  /** The event is returned only once now() >= indexedAt (late indexing). */
  indexedAt?: number;
  /** Time used for filtering when `timestamp` itself is broken (malformed-record tests). */
  at?: number;
};

export type QueryOutcome = 'completed' | 'failed' | 'cancelled' | 'never';

export interface SimQuery {
  href: string;
  status: string;
  query_parameters: Record<string, unknown>;
  created_by: { href: string };
  created_at: string;
  updated_at: string;
  result?: string;
  matches_count?: number;
  flows_count?: number;
  /** Not part of the PCE object: polls seen, downloads served, the kept flows. */
  hidden: { polls: number; downloads: number; flows: TrafficFlow[]; cancelRequested: boolean };
}

export interface SimJob {
  href: string;
  job_type: string;
  description: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  result: { href?: string };
  requested_at: string;
  terminated_at: string | null;
  requested_by: { href: string };
  hidden: { polls: number; data: unknown[] };
}

export interface LoggedRequest {
  method: string;
  /** Full path including `/api/v2`. */
  path: string;
  /** Query parameters with their names decoded (`timestamp[gte]`). */
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
  /** Status answered (0 = connection dropped) and Content-Encoding used. */
  status?: number;
  encoding?: string;
}

export class SimStore {
  readonly events: PceEvent[] = [];
  readonly flows: TrafficFlow[] = [];
  health: HealthCluster[];
  readonly requests: LoggedRequest[] = [];
  readonly queries = new Map<string, SimQuery>();
  readonly jobs = new Map<string, SimJob>();
  readonly datafiles = new Map<string, unknown[]>();

  // Traffic query knobs.
  pollsUntilComplete = 1;
  queryOutcome: QueryOutcome = 'completed';
  downloadGoneOnce = false;
  gzip = false;
  truncateTo: number | undefined = undefined;
  /** Serve every JSON download from here, as is (no filters), instead of `flows`. */
  flowSource: FlowSource | undefined = undefined;
  /** Drop the connection after this many bytes of a download body. */
  downloadCutAfterBytes: number | undefined = undefined;

  /** Job GETs answered `running` before `done`. */
  jobPollsUntilDone = 1;
  /** /node_available answers 404 when false (PCE below runlevel 5). */
  nodeAvailable = true;

  private readonly hidden = new WeakMap<PceEvent, { indexedAt: number; at: number | undefined }>();
  private readonly times = new WeakMap<PceEvent, number | undefined>();

  constructor(readonly now: () => number, fqdn: string) {
    this.health = [defaultCluster(fqdn, now())];
  }

  addEvents(list: SimEventInput[]): void {
    for (const input of list) {
      const { indexedAt, at, ...event } = input;
      this.hidden.set(event, { indexedAt: indexedAt ?? Number.NEGATIVE_INFINITY, at });
      this.events.push(event);
    }
  }

  addFlows(list: TrafficFlow[]): void {
    for (const flow of list) this.flows.push(flow);
  }

  /**
   * The time an event is filtered and sorted by; undefined for a record with
   * no usable time, which every time filter lets through (junk the PCE serves).
   */
  eventTime(event: PceEvent): number | undefined {
    if (typeof event !== 'object' || event === null) return undefined;

    // Parsed once per record: the benchmark serves hundreds of thousands.
    const cached = this.times.get(event);
    if (cached !== undefined || this.times.has(event)) return cached;
    const t = parsePceTime(event.timestamp) ?? this.hidden.get(event)?.at;
    this.times.set(event, t);
    return t;
  }

  isIndexed(event: PceEvent): boolean {
    if (typeof event !== 'object' || event === null) return true;
    return this.now() >= (this.hidden.get(event)?.indexedAt ?? Number.NEGATIVE_INFINITY);
  }
}

function defaultCluster(fqdn: string, now: number): HealthCluster {
  return {
    status: 'normal',
    type: 'standalone',
    fqdn,
    available_seconds: 86_400,
    notifications: [],
    listen_only_mode_enabled_at: null,
    nodes: [
      {
        hostname: fqdn,
        ip_address: '127.0.0.1',
        type: 'core',
        runlevel: 5,
        uptime_seconds: 86_400,
        cpu: { status: 'normal', percent: 7 },
        disk: [{ location: '/', value: { status: 'normal', percent: 41 } }],
        memory: { status: 'normal', percent: 38 },
        services: { status: 'running', services: { running: ['agent_service', 'collector_service'] } },
        generated_at: new Date(now).toISOString(),
      },
    ],
    network: { replication: [] },
    generated_at: new Date(now).toISOString(),
  };
}

export const ALL_DECISIONS: readonly PolicyDecision[] = ['allowed', 'potentially_blocked', 'blocked', 'unknown'];

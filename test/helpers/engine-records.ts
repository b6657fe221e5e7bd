/**
 * Builders for the rule engine and state tests: rules with defaults, and
 * events and flows in the PCE's shapes (see shared/samples).
 */
import type { EventRule, HealthRule, PceEvent, TrafficFlow, TrafficRule } from '../../src/types.js';

export const T0 = Date.UTC(2025, 2, 4, 10, 0, 0); // a whole minute

export const iso = (ms: number) => new Date(ms).toISOString();
export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function eventRule(over: Partial<EventRule> = {}): EventRule {
  return {
    id: 'ev', name: 'Event rule', type: 'event', eventTypes: ['agent.tampering'],
    threshold: 1, windowMinutes: 10, cooldownMinutes: 30, severity: 'high', ...over,
  };
}

export function trafficRule(over: Partial<TrafficRule> = {}): TrafficRule {
  return {
    id: 'tr', name: 'Traffic rule', type: 'traffic', policyDecisions: ['blocked'],
    threshold: 1, windowMinutes: 10, cooldownMinutes: 30, severity: 'high', ...over,
  };
}

export function healthRule(over: Partial<HealthRule> = {}): HealthRule {
  return {
    id: 'health', name: 'PCE health', type: 'health',
    threshold: 1, windowMinutes: 10, cooldownMinutes: 30, severity: 'critical', ...over,
  };
}

let seq = 0;

export function ev(type: string, at: number, over: Partial<PceEvent> = {}): PceEvent {
  seq++;
  return {
    href: `/orgs/1/events/${String(seq).padStart(12, '0')}`,
    timestamp: iso(at),
    event_type: type,
    status: 'success',
    severity: 'info',
    created_by: { system: {} },
    action: null,
    resource_changes: [],
    notifications: [],
    ...over,
  };
}

export interface Side {
  ip: string;
  host?: string;
  labels?: Record<string, string>;
}

export function fl(opts: {
  src: Side;
  dst: Side;
  port?: number;
  proto?: number;
  decision?: string;
  conns?: unknown;
  last?: number | null;
}): TrafficFlow {
  const side = (s: Side) => ({
    ip: s.ip,
    ...(s.host || s.labels
      ? {
          workload: {
            href: `/orgs/1/workloads/${s.ip}`,
            hostname: s.host ?? null,
            labels: Object.entries(s.labels ?? {}).map(([key, value]) => ({ key, value })),
          },
        }
      : {}),
  });
  const flow: TrafficFlow = {
    src: side(opts.src),
    dst: side(opts.dst),
    service: { ...(opts.port === undefined ? {} : { port: opts.port }), proto: opts.proto ?? 6 },
    policy_decision: opts.decision ?? 'blocked',
  };
  if (opts.conns !== undefined) flow.num_connections = opts.conns as number;
  if (opts.last !== null) {
    const last = opts.last ?? T0;
    flow.timestamp_range = { first_detected: isoSeconds(last - 3600_000), last_detected: isoSeconds(last) };
  }
  return flow;
}

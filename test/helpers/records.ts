/**
 * Hand-built PCE records in the shapes of ../shared/samples, for tests that
 * need exact, known inputs.
 */
import { randomUUID } from 'node:crypto';
import type { PceEvent, TrafficFlow } from '../../src/types.js';

export function event(
  type: string,
  at: number,
  extra: Partial<PceEvent> & { host?: string } = {},
): PceEvent {
  const { host, ...rest } = extra;
  return {
    href: `/orgs/1/events/${randomUUID()}`,
    timestamp: new Date(at).toISOString(),
    pce_fqdn: 'pce.example.com',
    created_by: host ? { agent: { href: '/orgs/1/agents/1', hostname: host } } : { system: {} },
    event_type: type,
    status: 'success',
    severity: 'err',
    version: 2,
    action: null,
    resource_changes: [],
    notifications: [],
    ...rest,
  };
}

export interface FlowSpec {
  src: string;
  srcHost?: string;
  srcLabels?: Record<string, string>;
  dst: string;
  dstHost?: string;
  dstLabels?: Record<string, string>;
  port: number;
  proto?: number;
  connections?: number;
  decision?: string;
  lastSeen: number;
}

function endpoint(ip: string, host?: string, labels?: Record<string, string>) {
  if (!host) return { ip };
  return {
    ip,
    workload: {
      href: `/orgs/1/workloads/${randomUUID()}`,
      hostname: host,
      name: host.split('.')[0],
      labels: Object.entries(labels ?? {}).map(([key, value], i) => ({ href: `/orgs/1/labels/${i + 1}`, key, value })),
      os_type: 'linux',
      managed: true,
      enforcement_mode: 'full',
    },
  };
}

export function flow(spec: FlowSpec): TrafficFlow {
  const f: TrafficFlow = {
    src: endpoint(spec.src, spec.srcHost, spec.srcLabels),
    dst: endpoint(spec.dst, spec.dstHost, spec.dstLabels),
    service: { port: spec.port, proto: spec.proto ?? 6 },
    policy_decision: spec.decision ?? 'blocked',
    state: 'closed',
    timestamp_range: {
      first_detected: new Date(spec.lastSeen - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      last_detected: new Date(spec.lastSeen).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    flow_direction: 'inbound',
    transmission: 'unicast',
  };
  if (spec.connections !== undefined) f.num_connections = spec.connections;
  return f;
}

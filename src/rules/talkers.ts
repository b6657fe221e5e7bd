/**
 * Top talkers: who caused the matches. Traffic talkers are
 * `src -> dst port/proto`, counted in connections; event talkers are the
 * event's source (host, user or address), counted in events. Counting is a
 * Map per rule, so memory grows with distinct talkers, never with records.
 */
import type { FlowEndpoint, PceEvent, Talker, TrafficFlow } from '../types.js';
import { protoName } from './match-traffic.js';

export const TOP_TALKERS = 5;

/** Talker parts without a count; one object per distinct talker (used as a Map key). */
export type TalkerInfo = Omit<Talker, 'count'>;

export function flowTalker(flow: TrafficFlow): TalkerInfo {
  const src = endpointText(flow.src);
  const dst = endpointText(flow.dst);
  const service = serviceText(flow.service);

  return {
    label: `${src} -> ${dst} ${service}`,
    src,
    srcLabels: labelText(flow.src),
    dst,
    dstLabels: labelText(flow.dst),
    service,
  };
}

/** `web01.example.com (10.0.0.21)`, or the bare IP of an unmanaged address. */
export function endpointText(endpoint: FlowEndpoint | undefined): string {
  const ip = typeof endpoint?.ip === 'string' && endpoint.ip ? endpoint.ip : undefined;
  const host = str(endpoint?.workload?.hostname) ?? str(endpoint?.workload?.name);

  if (host && ip) return `${host} (${ip})`;
  return host ?? ip ?? str(endpoint?.fqdn) ?? 'unknown';
}

/** `role=R-WEB, env=E-PROD`, in the workload's own label order. */
export function labelText(endpoint: FlowEndpoint | undefined): string {
  const labels = endpoint?.workload?.labels;
  if (!Array.isArray(labels)) return '';
  return labels
    .filter((l) => l && typeof l.key === 'string' && typeof l.value === 'string')
    .map((l) => `${l.key}=${l.value}`)
    .join(', ');
}

/** `445/tcp`; a flow without a port (ICMP) shows the protocol alone. */
export function serviceText(service: TrafficFlow['service'] | undefined): string {
  const proto = typeof service?.proto === 'number' ? service.proto : undefined;
  const name = protoName(proto);
  return typeof service?.port === 'number' ? `${service.port}/${name}` : name;
}

/**
 * Who caused an event: the agent/VEN host, the user, the client address,
 * the workload it is about, the user name someone tried, else `system`.
 */
export function eventSource(ev: PceEvent): string {
  const by = record(ev.created_by);
  const candidates = [
    record(by?.agent)?.hostname,
    record(by?.ven)?.hostname,
    record(by?.user)?.username,
    record(ev.action)?.src_ip,
    ...list(ev.resource_changes).map((c) => record(record(record(c)?.resource)?.workload)?.hostname),
    ...list(ev.notifications).map((n) => record(record(record(n)?.info)?.associated_user)?.supplied_username),
    ...list(ev.notifications).map((n) => record(record(n)?.info)?.src_ip),
  ];
  return candidates.map(str).find((s) => s !== undefined) ?? 'system';
}

/** Highest count first; ties by label, byte order, so every run agrees. */
export function topTalkers<K extends { label: string }>(counts: Map<K, number>, n = TOP_TALKERS): (K & { count: number })[] {
  return [...counts]
    .sort(([a, ca], [b, cb]) => cb - ca || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
    .slice(0, n)
    .map(([k, count]) => ({ ...k, count }));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * Top talkers: who caused the matches. Traffic talkers are
 * `src -> dst port/proto`, counted in connections; event talkers are the
 * event's source (host, user or address), counted in events. Counting is a
 * Map per rule, so memory grows with distinct talkers, never with records.
 */
import { printable } from '../util/printable.js';
import type { FlowEndpoint, Talker, TrafficFlow } from '../types.js';
import { protoName } from './match-traffic.js';

// Who caused an event lives in its own module, shared with the CSV columns.
export { eventSource, eventSourceOf } from './event-source.js';

export const TOP_TALKERS = 5;

/** Talker parts without a count; one object per distinct talker (used as a Map key). */
export type TalkerInfo = Omit<Talker, 'count'>;

/** The parts of a talker that make its key, the label `src -> dst service`. */
export function flowTalkerKey(flow: TrafficFlow): { label: string; src: string; dst: string; service: string } {
  const src = endpointText(flow.src);
  const dst = endpointText(flow.dst);
  const service = serviceText(flow.service);
  return { label: `${src} -> ${dst} ${service}`, src, dst, service };
}

/** All parts of a talker. */
export function flowTalker(flow: TrafficFlow): Required<TalkerInfo> {
  return { ...flowTalkerKey(flow), srcLabels: labelText(flow.src), dstLabels: labelText(flow.dst) };
}

/** `web01.example.com (10.0.0.21)`, or the bare IP of an unmanaged address. */
export function endpointText(endpoint: FlowEndpoint | undefined): string {
  const ip = typeof endpoint?.ip === 'string' && endpoint.ip ? endpoint.ip : undefined;
  const host = str(endpoint?.workload?.hostname) ?? str(endpoint?.workload?.name);

  if (host && ip) return printable(`${host} (${ip})`);
  return printable(host ?? ip ?? str(endpoint?.fqdn) ?? 'unknown');
}

/** `role=R-WEB, env=E-PROD`, in the workload's own label order. */
export function labelText(endpoint: FlowEndpoint | undefined): string {
  const labels = endpoint?.workload?.labels;
  if (!Array.isArray(labels)) return '';
  return labels
    .filter((l) => l && typeof l.key === 'string' && typeof l.value === 'string')
    .map((l) => printable(`${l.key}=${l.value}`))
    .join(', ');
}

/** `445/tcp`; a flow without a port (ICMP) shows the protocol alone. */
export function serviceText(service: TrafficFlow['service'] | undefined): string {
  const proto = typeof service?.proto === 'number' ? service.proto : undefined;
  const name = protoName(proto);
  return typeof service?.port === 'number' ? `${service.port}/${name}` : name;
}

/**
 * Highest count first; ties by label, byte order, so every run agrees.
 * One pass with a small sorted list: a rule may have 100,000 talkers.
 */
export function topTalkers<K extends { label: string }>(counts: Iterable<[K, number]>, n = TOP_TALKERS): (K & { count: number })[] {
  const top: [K, number][] = [];
  for (const entry of counts) insertTop(top, entry, n);
  return top.map(([k, count]) => ({ ...k, count }));
}

/** Insert into a sorted top-n list if it belongs there. */
export function insertTop<K extends { label: string }>(top: [K, number][], entry: [K, number], n: number): void {
  if (top.length === n && !before(entry, top[n - 1]!)) return;

  let i = top.length;
  while (i > 0 && before(entry, top[i - 1]!)) i--;
  top.splice(i, 0, entry);
  if (top.length > n) top.pop();
}

function before<K extends { label: string }>([a, ca]: [K, number], [b, cb]: [K, number]): boolean {
  return ca > cb || (ca === cb && a.label < b.label);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/**
 * Who caused an audit event, read from the PCE's record. One function serves
 * the talker table (where an event with no clue counts as `system`) and the
 * CSV `source` column (where it stays empty), so both always name the same
 * host or user for the same event.
 */
import { printable } from '../util/printable.js';

/**
 * The first clue found, in this order: the agent/VEN host, the user, the
 * service account or container cluster, the client address (unless the PCE
 * filtered it), the workload the event is about, the user name someone
 * tried, the address in a notification. undefined when there is none.
 */
export function eventSourceOf(event: unknown): string | undefined {
  const by = record(record(event)?.created_by);
  const ev = record(event);
  const candidates = [
    record(by?.agent)?.hostname,
    record(by?.ven)?.hostname,
    record(by?.user)?.username,
    record(by?.service_account)?.name,
    record(by?.container_cluster)?.name,
    record(ev?.action)?.src_ip,
    ...list(ev?.resource_changes).map((c) => record(record(record(c)?.resource)?.workload)?.hostname),
    ...list(ev?.notifications).map((n) => record(record(record(n)?.info)?.associated_user)?.supplied_username),
    ...list(ev?.notifications).map((n) => record(record(n)?.info)?.src_ip),
  ];
  return candidates.map(usable).find((s) => s !== undefined);
}

/** The talker an event counts for: its source, else `system`. */
export function eventSource(event: unknown): string {
  return printable(eventSourceOf(event) ?? 'system');
}

// System tasks show `src_ip: "FILTERED"`: a placeholder, not a source.
function usable(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' && v !== 'FILTERED' ? v : undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * The filters of a legacy traffic rule: `pd`, `port`, `proto`, `src_label`,
 * `dst_label` and the later versions' `src_ip_in`, `dst_ip_in` and `ex_*`
 * exclusions. A filter that can never have matched in the legacy tool (so the
 * rule never fired) makes the imported rule disabled rather than broader; an
 * exclusion that never matched is simply dropped, which changes nothing.
 */
import type { TrafficRule } from '../types.js';
import { addressFilter, parseLabels, policyDecisions, portNumber, protocol } from './legacy-filters.js';
import { isUnset, type LegacyReport, type Loose } from './legacy-report.js';

export type TrafficFields = Pick<
  TrafficRule,
  'policyDecisions' | 'port' | 'proto' | 'srcLabels' | 'dstLabels' | 'srcIps' | 'dstIps' | 'excludePort'
  | 'excludeSrcLabels' | 'excludeDstLabels' | 'excludeSrcIps' | 'excludeDstIps'
>;

export const TRAFFIC_KEYS = [
  'pd', 'port', 'proto', 'src_label', 'dst_label', 'src_ip_in', 'dst_ip_in',
  'ex_port', 'ex_src_label', 'ex_dst_label', 'ex_src_ip', 'ex_dst_ip',
] as const;

const LABELS = [
  ['src_label', 'srcLabels', false],
  ['dst_label', 'dstLabels', false],
  ['ex_src_label', 'excludeSrcLabels', true],
  ['ex_dst_label', 'excludeDstLabels', true],
] as const;

const ADDRESSES = [
  ['src_ip_in', 'srcIps', false],
  ['dst_ip_in', 'dstIps', false],
  ['ex_src_ip', 'excludeSrcIps', true],
  ['ex_dst_ip', 'excludeDstIps', true],
] as const;

export interface TrafficResult {
  fields: TrafficFields;
  /** Why the rule must be imported disabled (empty: it can stay enabled). */
  disable: string[];
}

export function trafficFields(raw: Loose, at: string, report: LegacyReport): TrafficResult | undefined {
  const decisions = policyDecisions(raw.pd, `${at}/pd`, report);
  if (!decisions) return undefined;

  const result: TrafficResult = { fields: { policyDecisions: decisions }, disable: [] };
  ports(raw, at, report, result.fields);
  for (const spec of LABELS) labels(raw, at, report, result, spec);
  for (const spec of ADDRESSES) addresses(raw, at, report, result, spec);
  return result;
}

function ports(raw: Loose, at: string, report: LegacyReport, fields: TrafficFields): void {
  if (!isUnset(raw.port) && raw.port !== 0) {
    const port = portNumber(raw.port, `${at}/port`, report);
    if (port !== undefined) {
      fields.port = port;
      report.change(`${at}/port`, `port ${port} now matches the flow's service.port; the first Python version compared dst_port, a field PCE flow records do not have, so there this rule never matched`);
    }
  }

  if (!isUnset(raw.ex_port) && raw.ex_port !== 0) {
    const port = portNumber(raw.ex_port, `${at}/ex_port`, report);
    if (port !== undefined) fields.excludePort = port;
  }

  if (!isUnset(raw.proto) && raw.proto !== 0) {
    const proto = protocol(raw.proto, `${at}/proto`, report);
    if (proto !== undefined) fields.proto = proto;
  }
}

function labels(
  raw: Loose,
  at: string,
  report: LegacyReport,
  result: TrafficResult,
  [from, to, exclude]: (typeof LABELS)[number],
): void {
  const value = raw[from];
  if (isUnset(value)) return;
  const path = `${at}/${from}`;

  if (typeof value !== 'string') {
    report.problem(path, 'must be a label filter as key=value, e.g. env=prod');
    return;
  }

  const { labels: list, bad } = parseLabels(value, path, report);
  if (list.length > 0) result.fields[to] = list;
  if (bad.length === 0) return;

  const quoted = bad.map((b) => `'${b}'`).join(', ');
  if (exclude) {
    report.change(path, `dropped ${quoted}: not key=value, so the legacy tool never excluded anything with it`);
  } else {
    report.change(path, `dropped ${quoted}: not key=value, so the legacy rule never matched`);
    result.disable.push(`its ${from} filter ${quoted} is not key=value`);
  }
}

function addresses(
  raw: Loose,
  at: string,
  report: LegacyReport,
  result: TrafficResult,
  [from, to, exclude]: (typeof ADDRESSES)[number],
): void {
  const value = raw[from];
  if (isUnset(value)) return;
  const path = `${at}/${from}`;

  if (typeof value !== 'string') {
    report.problem(path, 'must be an IP address, a CIDR block or an IP list name');
    return;
  }

  const { ip, listName } = addressFilter(value);
  if (ip) {
    result.fields[to] = [ip];
    return;
  }

  // The legacy tool also matched flows by the name of a PCE IP list.
  report.change(path, `dropped '${listName}': IP list names are not supported; use addresses or CIDR blocks`);
  if (exclude) report.warn(`rule at ${at} no longer leaves out flows of the IP list '${listName}'; add its addresses to ${to}`);
  else result.disable.push(`its ${from} filter names the IP list '${listName}'`);
}

/**
 * The filters of legacy rules translated field by field: event types that
 * never existed or were matched by substring, `pd` numbers, protocols, and
 * `key=value` label and address filters. Each repair is reported.
 */
import { eventTypeProblem, ipProblem, labelProblem } from '../rules/validate.js';
import type { PolicyDecision } from '../types.js';
import { isUnset, toInteger, type LegacyReport } from './legacy-report.js';

export interface EventMatch {
  eventTypes: string[];
  status?: 'success' | 'failure';
}

/**
 * Legacy names the PCE never logs. The first Python version matched by
 * substring, so its templates used fragments; later versions matched exactly
 * and those fragments silently matched nothing.
 */
const EVENT_REPAIRS: Record<string, EventMatch & { why: string }> = {
  'user.login_failed': {
    eventTypes: ['user.sign_in', 'user.login'],
    status: 'failure',
    why: "the PCE has no event type 'user.login_failed'; failed console logins are user.sign_in and user.login events with status failure",
  },
  agent_missed_heartbeats: {
    eventTypes: ['system_task.agent_missed_heartbeats_check'],
    why: "'agent_missed_heartbeats' is only part of the PCE's event type name",
  },
  agent_offline_check: {
    eventTypes: ['system_task.agent_offline_check'],
    why: "'agent_offline_check' is only part of the PCE's event type name",
  },
  rule_set: {
    eventTypes: ['rule_set.*'],
    why: "'rule_set' is only part of the PCE's event type names (rule_set.create, rule_set.update, rule_set.delete)",
  },
};

/** `filter_value` of an event rule → eventTypes (and status), or undefined after a problem. */
export function eventMatch(value: unknown, at: string, report: LegacyReport): EventMatch | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    report.problem(at, 'must be the event type to watch, e.g. agent.tampering');
    return undefined;
  }

  const given = value.trim();
  const repair = EVENT_REPAIRS[given.toLowerCase()];
  if (repair) {
    const status = repair.status ? ` with status ${repair.status}` : '';
    report.change(at, `'${given}' replaced by ${repair.eventTypes.join(' + ')}${status}: ${repair.why}`);
    const { why: _why, ...match } = repair;
    return { ...match, eventTypes: [...match.eventTypes] };
  }

  return plainEventType(given, at, report);
}

function plainEventType(given: string, at: string, report: LegacyReport): EventMatch | undefined {
  let type = given.toLowerCase();
  if (type !== given) report.change(at, `'${given}' lower-cased to '${type}' (PCE event types are lower case)`);

  // A name without a dot is no event type; the first Python version found
  // it inside longer names, which a glob reproduces.
  if (!type.includes('.') && !/[*?]/.test(type)) {
    report.change(at, `'${type}' became the glob '*${type}*': the legacy tool matched it anywhere inside event type names; narrow it if you can`);
    type = `*${type}*`;
  }

  const problem = eventTypeProblem(type);
  if (problem) {
    report.problem(at, problem);
    return undefined;
  }
  return { eventTypes: [type] };
}

const ALL_DECISIONS: PolicyDecision[] = ['blocked', 'potentially_blocked', 'allowed', 'unknown'];
const PD_NUMBERS: Record<number, PolicyDecision> = { 0: 'allowed', 1: 'potentially_blocked', 2: 'blocked' };

/** `pd`: 0 allowed, 1 potentially blocked, 2 blocked; 3 and -1 meant any decision. */
export function policyDecisions(value: unknown, at: string, report: LegacyReport): PolicyDecision[] | undefined {
  if (isUnset(value)) {
    report.change(at, 'missing: blocked, as the legacy tool assumed');
    return ['blocked'];
  }

  const n = toInteger(value);
  if (n !== undefined && PD_NUMBERS[n]) return [PD_NUMBERS[n]];
  if (n === 3 || n === -1) {
    report.change(at, `${n} (any decision) became all of ${ALL_DECISIONS.join(', ')}`);
    return [...ALL_DECISIONS];
  }
  if (typeof value === 'string' && (ALL_DECISIONS as string[]).includes(value)) return [value as PolicyDecision];

  report.problem(at, 'must be 0 (allowed), 1 (potentially blocked), 2 (blocked) or 3 (any)');
  return undefined;
}

/** A destination port; the caller reports the field move. */
export function portNumber(value: unknown, at: string, report: LegacyReport): number | undefined {
  const n = toInteger(value);
  if (n !== undefined && n >= 1 && n <= 65535) return n;
  report.problem(at, 'must be a port number from 1 to 65535');
  return undefined;
}

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp' };

/** `proto`: the IANA number (6, 17, 1) or a name; named where we have one. */
export function protocol(value: unknown, at: string, report: LegacyReport): string | number | undefined {
  if (typeof value === 'string' && ['tcp', 'udp', 'icmp'].includes(value.trim().toLowerCase())) {
    return value.trim().toLowerCase();
  }

  const n = toInteger(value);
  if (n !== undefined && n >= 0 && n <= 255) return PROTO_NAMES[n] ?? n;
  report.problem(at, 'must be tcp, udp, icmp or an IANA protocol number (0-255)');
  return undefined;
}

/** Labels parsed from one legacy `key=value` string; `bad` lists parts that are not labels. */
export interface LabelParse {
  labels: string[];
  bad: string[];
}

/**
 * The Python tool split the filter once at '=', so "role=web, env=prod" was
 * one label whose value was "web, env=prod" and never matched; here it is
 * two labels that must all be present.
 */
export function parseLabels(value: string, at: string, report: LegacyReport): LabelParse {
  const parts = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const labels: string[] = [];
  const bad: string[] = [];

  for (const part of parts) {
    const eq = part.indexOf('=');
    const label = eq < 0 ? part : `${part.slice(0, eq).trim()}=${part.slice(eq + 1).trim()}`;
    if (labelProblem(label)) bad.push(part);
    else if (!labels.includes(label)) labels.push(label);
  }

  if (parts.length > 1) {
    report.change(at, `'${value}' split into ${parts.length} labels (${labels.join(', ')}); the legacy tool read it as a single label and never matched it`);
  } else if (labels.length === 1 && labels[0] !== value) {
    report.change(at, `'${value}' written as '${labels[0]}' (blanks around the key and value removed)`);
  }
  return { labels, bad };
}

/** An address filter: an IP or CIDR block is kept; anything else was an IP list name. */
export function addressFilter(value: string): { ip?: string; listName?: string } {
  const trimmed = value.trim();
  return ipProblem(trimmed) ? { listName: trimmed } : { ip: trimmed };
}

/**
 * Traffic rule matching built for 200,000 flows and dozens of rules: each
 * rule is compiled once (label sets, CIDR ranges as integers, port and proto
 * as numbers), and each flow is parsed once into a FlowView whose addresses
 * are parsed lazily and shared by every rule that looks at them.
 */
import { ConfigError } from '../errors.js';
import type { TrafficFlow, TrafficRule } from '../types.js';
import { parsePceTime } from '../util/time.js';
import { compileIpRanges, inRanges, parseIp, type IpRanges, type ParsedIp } from './ip-ranges.js';

const PROTOCOLS: Readonly<Record<string, number>> = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58, 'ipv6-icmp': 58 };
const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' };

/** `tcp` -> 6, `17` -> 17; undefined when it is neither a known name nor 0..255. */
export function protoNumber(proto: string | number): number | undefined {
  if (typeof proto === 'number') return Number.isInteger(proto) && proto >= 0 && proto <= 255 ? proto : undefined;

  const text = proto.trim().toLowerCase();
  if (text in PROTOCOLS) return PROTOCOLS[text];
  return /^\d{1,3}$/.test(text) ? protoNumber(Number(text)) : undefined;
}

/** 6 -> `tcp`, 47 -> `47`. */
export function protoName(proto: number | undefined): string {
  if (proto === undefined) return '?';
  return PROTOCOL_NAMES[proto] ?? String(proto);
}

/** One flow, parsed once; addresses only when a rule asks. */
export class FlowView {
  readonly decision: string;
  readonly port: number | undefined;
  readonly proto: number | undefined;
  /** last_detected in ms; a flow without timestamps counts as "now". */
  readonly at: number;
  readonly timed: boolean;
  private ips: [ParsedIp | null | undefined, ParsedIp | null | undefined] = [undefined, undefined];

  constructor(readonly flow: TrafficFlow, now: number) {
    this.decision = typeof flow.policy_decision === 'string' ? flow.policy_decision : '';
    const service = flow.service ?? {};
    this.port = typeof service.port === 'number' ? service.port : undefined;
    this.proto = typeof service.proto === 'number' ? service.proto : undefined;
    const last = flowTime(flow.timestamp_range?.last_detected);
    this.at = last ?? now;
    this.timed = last !== undefined;
  }

  /** Does this side's workload carry key=value? A scan, no allocation: workloads carry few labels. */
  hasLabel(side: 0 | 1, key: string, value: string): boolean {
    const labels = (side === 0 ? this.flow.src : this.flow.dst)?.workload?.labels;
    if (!Array.isArray(labels)) return false;
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (l && l.key === key && l.value === value) return true;
    }
    return false;
  }

  ip(side: 0 | 1): ParsedIp | undefined {
    let ip = this.ips[side];
    if (ip === undefined) {
      ip = parseIp((side === 0 ? this.flow.src : this.flow.dst)?.ip) ?? null;
      this.ips[side] = ip;
    }
    return ip ?? undefined;
  }
}

/**
 * Flow times are RFC 3339 seconds with `Z` (`2025-03-04T09:58:33Z`): that
 * exact form is parsed by Date.parse, much faster than the general parser
 * that every other PCE form needs.
 */
function flowTime(text: unknown): number | undefined {
  if (typeof text === 'string' && text.length === 20 && text[10] === 'T' && text[19] === 'Z') {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  return parsePceTime(text);
}

export interface CompiledTrafficRule {
  rule: TrafficRule;
  windowStart: number;
  matches(view: FlowView): boolean;
}

type Test = (view: FlowView) => boolean;

/** Compile one rule; `now` fixes its window start. Throws ConfigError on a bad filter. */
export function compileTrafficRule(rule: TrafficRule, now: number): CompiledTrafficRule {
  const problems: { path: string; message: string }[] = [];
  const fail = (path: string, message: string) => problems.push({ path, message });
  const windowStart = now - rule.windowMinutes * 60_000;

  const tests: Test[] = [(v) => v.at >= windowStart];
  const excludes: Test[] = [];
  addPortProto(rule, tests, excludes, fail);
  addLabels(rule, tests, excludes, fail);
  addIps(rule, tests, excludes, fail);
  if (problems.length) throw new ConfigError(`rule ${rule.id}`, problems, 'Fix the rule (rules remove / rules add, or the config file).');

  return {
    rule,
    windowStart,
    matches(v) {
      for (let i = 0; i < tests.length; i++) if (!tests[i]!(v)) return false;
      for (let i = 0; i < excludes.length; i++) if (excludes[i]!(v)) return false;
      return true;
    },
  };
}

type Fail = (path: string, message: string) => void;

function addPortProto(rule: TrafficRule, tests: Test[], excludes: Test[], fail: Fail): void {
  // The port lives in service.port: a top-level `port` is not a flow field.
  if (rule.port !== undefined) tests.push((v) => v.port === rule.port);
  if (rule.excludePort !== undefined) excludes.push((v) => v.port === rule.excludePort);

  for (const [key, value, list] of [['proto', rule.proto, tests], ['excludeProto', rule.excludeProto, excludes]] as const) {
    if (value === undefined) continue;
    const n = protoNumber(value);
    if (n === undefined) fail(`/${key}`, `unknown protocol ${JSON.stringify(value)}; use tcp, udp, icmp or a number 0-255`);
    else list.push((v) => v.proto === n);
  }
}

function addLabels(rule: TrafficRule, tests: Test[], excludes: Test[], fail: Fail): void {
  const sides = [
    ['srcLabels', 0, rule.srcLabels, false],
    ['dstLabels', 1, rule.dstLabels, false],
    ['excludeSrcLabels', 0, rule.excludeSrcLabels, true],
    ['excludeDstLabels', 1, rule.excludeDstLabels, true],
  ] as const;

  for (const [key, side, labels, exclude] of sides) {
    if (!labels?.length) continue;
    const wanted = labels.map((l, i): [string, string] => splitLabel(l) ?? (fail(`/${key}/${i}`, `expected key=value, got ${JSON.stringify(l)}`), ['', '']));
    // Required labels: all must be on the workload. Excluded: any one excludes.
    if (exclude) excludes.push((v) => wanted.some(([k, val]) => v.hasLabel(side, k, val)));
    else tests.push((v) => wanted.every(([k, val]) => v.hasLabel(side, k, val)));
  }
}

/** `env = prod` -> [`env`, `prod`]; undefined without a key. */
export function splitLabel(label: string): [string, string] | undefined {
  const eq = label.indexOf('=');
  if (eq <= 0) return undefined;
  return [label.slice(0, eq).trim(), label.slice(eq + 1).trim()];
}

function addIps(rule: TrafficRule, tests: Test[], excludes: Test[], fail: Fail): void {
  const sides = [
    ['srcIps', 0, rule.srcIps, tests],
    ['dstIps', 1, rule.dstIps, tests],
    ['excludeSrcIps', 0, rule.excludeSrcIps, excludes],
    ['excludeDstIps', 1, rule.excludeDstIps, excludes],
  ] as const;

  for (const [key, side, entries, list] of sides) {
    if (!entries?.length) continue;
    let ranges: IpRanges;
    try {
      ranges = compileIpRanges(entries);
    } catch (err) {
      fail(`/${key}`, err instanceof Error ? err.message : String(err));
      continue;
    }
    list.push((v) => inRanges(v.ip(side), ranges));
  }
}

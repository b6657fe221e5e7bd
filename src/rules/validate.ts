/**
 * Checks on rules that a JSON Schema cannot express: unique ids, addresses
 * and CIDR blocks, `key=value` labels and event-type globs that can match.
 * Works on unvalidated data (the schema problems are reported separately).
 */
import ipaddr from 'ipaddr.js';
import picomatch from 'picomatch';
import type { ConfigProblem } from '../errors.js';

type Loose = Record<string, unknown>;

const LABEL_FIELDS = ['srcLabels', 'dstLabels', 'excludeSrcLabels', 'excludeDstLabels'] as const;
const IP_FIELDS = ['srcIps', 'dstIps', 'excludeSrcIps', 'excludeDstIps'] as const;

/** Every semantic problem of a rule list; paths start at `base` (e.g. `/rules`). */
export function validateRules(rules: unknown, base = '/rules'): ConfigProblem[] {
  if (!Array.isArray(rules)) return [];

  const problems: ConfigProblem[] = [...duplicateIds(rules, base)];
  rules.forEach((rule, i) => problems.push(...validateRule(rule, `${base}/${i}`)));
  return problems;
}

/** Semantic problems of one rule. */
export function validateRule(rule: unknown, at: string): ConfigProblem[] {
  if (!isObject(rule)) return [];
  const problems: ConfigProblem[] = [];

  for (const field of LABEL_FIELDS) {
    eachString(rule[field], (s, i) => {
      const message = labelProblem(s);
      if (message) problems.push({ path: `${at}/${field}/${i}`, message });
    });
  }

  for (const field of IP_FIELDS) {
    eachString(rule[field], (s, i) => {
      const message = ipProblem(s);
      if (message) problems.push({ path: `${at}/${field}/${i}`, message });
    });
  }

  eachString(rule.eventTypes, (s, i) => {
    const message = eventTypeProblem(s);
    if (message) problems.push({ path: `${at}/eventTypes/${i}`, message });
  });

  return problems;
}

function duplicateIds(rules: unknown[], base: string): ConfigProblem[] {
  const firstIndex = new Map<string, number>();
  const problems: ConfigProblem[] = [];

  rules.forEach((rule, i) => {
    if (!isObject(rule) || typeof rule.id !== 'string') return;
    const first = firstIndex.get(rule.id);
    if (first === undefined) firstIndex.set(rule.id, i);
    else problems.push({ path: `${base}/${i}/id`, message: `duplicate rule id '${rule.id}' (also ${base}/${first}); ids must be unique` });
  });
  return problems;
}

/** `key=value`, both non-empty, no surrounding blanks. */
export function labelProblem(label: string): string | undefined {
  const m = /^([^=]*)=(.*)$/.exec(label);
  if (!m || !m[1] || !m[2]) return `'${label}' is not a label; write key=value, e.g. env=prod`;
  if (m[1] !== m[1].trim() || m[2] !== m[2].trim()) return `'${label}' has blanks around the key or value; write key=value, e.g. env=prod`;
  return undefined;
}

/** An IPv4/IPv6 address or a CIDR block whose host bits are zero. */
export function ipProblem(value: string): string | undefined {
  const [addr = '', prefix, extra] = value.split('/');
  const isV4 = ipaddr.IPv4.isValidFourPartDecimal(addr);
  if (extra !== undefined || (!isV4 && !ipaddr.IPv6.isValid(addr))) {
    return `'${value}' is not an IP address or CIDR block (e.g. 10.0.0.5 or 10.0.0.0/8)`;
  }
  if (prefix === undefined) return undefined;

  const bits = Number(prefix);
  const max = isV4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || bits > max) return `'${value}' has a bad prefix length; use 0-${max}`;

  const network = (isV4 ? ipaddr.IPv4 : ipaddr.IPv6).networkAddressFromCIDR(value).toString();
  const given = ipaddr.parse(addr).toString();
  if (network !== given) return `'${value}' has host bits set; did you mean ${network}/${bits}?`;
  return undefined;
}

/**
 * Event types are lower-case `resource.verb` names; a glob must name at least
 * part of one, since a bare `*` would mail about every event the PCE logs.
 */
export function eventTypeProblem(pattern: string): string | undefined {
  if (!/^[a-z0-9_.*?{},!\[\]-]+$/.test(pattern)) {
    return `'${pattern}' is not an event type or glob (lower-case letters, digits, '.', '_', '-', '*', '?'), e.g. agent.tampering or agent.*`;
  }
  if (!/[a-z0-9]/.test(pattern)) return `'${pattern}' would match every event; name the resource, e.g. agent.*`;

  const isGlob = picomatch.scan(pattern).isGlob;
  if (!isGlob && !pattern.includes('.')) {
    return `'${pattern}' is not an event type (they look like resource.verb, e.g. agent.tampering); for a family use a glob such as ${pattern}.*`;
  }

  try {
    picomatch.makeRe(pattern);
  } catch {
    return `'${pattern}' is not a valid glob`;
  }
  return undefined;
}

function eachString(value: unknown, fn: (s: string, i: number) => void): void {
  if (!Array.isArray(value)) return;
  value.forEach((v, i) => typeof v === 'string' && fn(v, i));
}

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

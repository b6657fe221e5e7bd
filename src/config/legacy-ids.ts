/**
 * Rule ids for imported rules. The Python tool used epoch seconds as ids, and
 * its best-practice loader gave every default rule the same second, so their
 * history and cooldowns leaked into each other. Here each rule gets a unique
 * slug: from its name when the name is plain ASCII, else the id of the
 * matching best-practice rule, else one built from what it matches.
 */
import { defaultRules } from '../rules/defaults.js';
import type { EventRule, Rule, TrafficRule } from '../types.js';

/** What a rule watches (enough to name it and to find its best-practice twin). */
export type RuleTarget = { name: string } & (
  | Pick<EventRule, 'type' | 'eventTypes' | 'status'>
  | (Pick<TrafficRule, 'type' | 'policyDecisions'> & Partial<TrafficRule>)
  | { type: 'health' }
);

const MAX_ID = 64;

/** The best-practice rule that watches exactly the same thing, if any. */
export function matchingDefault(rule: RuleTarget): Rule | undefined {
  return defaultRules().find((d) => sameTarget(d, rule));
}

function sameTarget(d: Rule, r: RuleTarget): boolean {
  if (d.type !== r.type) return false;
  if (d.type === 'event' && r.type === 'event') {
    return sameList(d.eventTypes, r.eventTypes) && d.status === r.status;
  }
  if (d.type === 'traffic' && r.type === 'traffic') {
    const filters = Object.keys(r).filter((k) => /^(port|proto|src|dst|exclude)/.test(k));
    return sameList(d.policyDecisions, r.policyDecisions) && filters.length === 0;
  }
  return true;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Lower-case slug of plain text, or '' when nothing usable is left. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_ID - 4)
    .replace(/-+$/, '');
}

/** The base slug for one rule, before making it unique. */
export function baseId(rule: RuleTarget): string {
  const plainName = /^[\x20-\x7e]+$/.test(rule.name) ? slugify(rule.name) : '';
  if (plainName.length >= 3) return plainName;

  const known = matchingDefault(rule);
  if (known) return known.id;

  return slugify(targetText(rule)) || 'rule';
}

function targetText(rule: RuleTarget): string {
  if (rule.type === 'event') return rule.eventTypes.join('-').replace(/\*/g, '');
  if (rule.type === 'traffic') {
    const decisions = rule.policyDecisions.length > 2 ? 'any' : rule.policyDecisions.join('-');
    return `${decisions}-traffic${rule.port ? `-port-${rule.port}` : ''}`;
  }
  return 'pce-health';
}

/** `base`, else `base-2`, `base-3`, … whichever is not taken yet (and marks it taken). */
export function uniqueId(base: string, taken: Set<string>): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/**
 * Legacy rules → rules. Threshold type, count and window map onto threshold
 * and windowMinutes; severity and cooldown, which the Python tool did not
 * have (it mailed again on every run), come from the matching best-practice
 * rule; ids become unique slugs. Bandwidth and volume rules are dropped.
 */
import { defaultRules } from '../rules/defaults.js';
import type { EventRule, HealthRule, Rule, Severity, TrafficRule } from '../types.js';
import { eventMatch } from './legacy-filters.js';
import { baseId, matchingDefault, uniqueId, type RuleTarget } from './legacy-ids.js';
import { dropUnknownKeys, isObject, isUnset, toInteger, type LegacyReport, type Loose } from './legacy-report.js';
import { TRAFFIC_KEYS, trafficFields } from './legacy-traffic.js';

const COMMON_KEYS = [
  'id', 'type', 'name', 'desc', 'rec', 'threshold_type', 'threshold_count', 'threshold_window', 'cooldown_minutes',
] as const;
const EVENT_KEYS = [...COMMON_KEYS, 'filter_key', 'filter_value'];
const TRAFFIC_RULE_KEYS = [...COMMON_KEYS, ...TRAFFIC_KEYS];

const FALLBACK_COOLDOWN = 30;
const FALLBACK_SEVERITY: Severity = 'medium';

type Draft = Omit<EventRule, 'id'> | Omit<TrafficRule, 'id'>;
/** A rule before finish() gives it a severity and a cooldown. */
type Unfinished<D> = Omit<D, 'severity' | 'cooldownMinutes'>;
interface Converted { draft: Draft; legacyId: unknown; at: string }

/** Convert the legacy `rules` list; `withHealth` adds the PCE health check the legacy tool always ran. */
export function convertRules(raw: unknown, withHealth: boolean, report: LegacyReport): Rule[] {
  if (isUnset(raw)) raw = [];
  if (!Array.isArray(raw)) {
    report.problem('/rules', 'must be a list of rules');
    return [];
  }

  const shared = countIds(raw);
  const taken = new Set<string>();
  const rules = raw.flatMap((r, i) => {
    const converted = convertOne(r, `/rules/${i}`, report);
    return converted ? [withId(converted, shared, taken, report)] : [];
  });

  if (rules.some((r) => r.type === 'traffic' && r.threshold > 1)) {
    report.warn('traffic thresholds count connections (the sum of num_connections per flow); the first Python version counted flow records, so count rules may fire sooner');
  }
  if (withHealth) rules.push(healthRule(new Set(rules.map((r) => r.id)), report));
  if (rules.length === 0) report.warn('no rules were imported; add the best-practice set with: illumio-monitor rules load-defaults');
  return rules;
}

function convertOne(raw: unknown, at: string, report: LegacyReport): Converted | undefined {
  if (!isObject(raw)) {
    report.problem(at, 'must be an object (one rule)');
    return undefined;
  }

  if (raw.type === 'bandwidth' || raw.type === 'volume') {
    report.change(at, `dropped the ${raw.type} rule '${String(raw.name ?? '')}': bandwidth and volume thresholds are not supported`);
    return undefined;
  }
  if (raw.type !== 'event' && raw.type !== 'traffic') {
    report.problem(`${at}/type`, 'must be event or traffic');
    return undefined;
  }

  const draft = raw.type === 'event' ? eventDraft(raw, at, report) : trafficDraft(raw, at, report);
  return draft && { draft, legacyId: raw.id, at };
}

function eventDraft(raw: Loose, at: string, report: LegacyReport): Omit<EventRule, 'id'> | undefined {
  dropUnknownKeys(raw, EVENT_KEYS, at, report);
  if (!isUnset(raw.filter_key) && raw.filter_key !== 'event_type') {
    report.problem(`${at}/filter_key`, 'must be event_type (the only filter the legacy tool had)');
    return undefined;
  }

  const common = commonFields(raw, at, report);
  const match = eventMatch(raw.filter_value, `${at}/filter_value`, report);
  if (!common || !match) return undefined;

  const draft: Unfinished<Omit<EventRule, 'id'>> = { ...common.head, type: 'event', ...match, ...common.tail };
  return finish<Omit<EventRule, 'id'>>(draft, raw, at, report);
}

function trafficDraft(raw: Loose, at: string, report: LegacyReport): Omit<TrafficRule, 'id'> | undefined {
  dropUnknownKeys(raw, TRAFFIC_RULE_KEYS, at, report);

  const common = commonFields(raw, at, report);
  const traffic = trafficFields(raw, at, report);
  if (!common || !traffic) return undefined;

  const draft: Unfinished<Omit<TrafficRule, 'id'>> = { ...common.head, type: 'traffic', ...traffic.fields, ...common.tail };
  if (traffic.disable.length > 0) {
    draft.enabled = false;
    report.warn(`rule '${draft.name}' (${at}) is imported disabled: ${traffic.disable.join('; ')}. Fix the filter, then set its enabled to true.`);
  }
  return finish<Omit<TrafficRule, 'id'>>(draft, raw, at, report);
}

interface Common {
  head: { name: string };
  tail: { threshold: number; windowMinutes: number; description?: string };
}

function commonFields(raw: Loose, at: string, report: LegacyReport): Common | undefined {
  const name = ruleName(raw.name, at, report);
  const threshold = thresholdOf(raw, at, report);
  const windowMinutes = windowOf(raw.threshold_window, `${at}/threshold_window`, report);
  if (threshold === undefined || windowMinutes === undefined) return undefined;

  const tail: Common['tail'] = { threshold, windowMinutes };
  const description = [raw.desc, raw.rec].filter((s) => typeof s === 'string' && s.trim() !== '');
  if (description.length > 0) tail.description = description.map((s) => String(s).trim()).join(' | Recommendation: ');
  return { head: { name }, tail };
}

function ruleName(value: unknown, at: string, report: LegacyReport): string {
  const text = typeof value === 'string' ? value.replace(/[\r\n]+/g, ' ').trim() : '';
  if (text === '') {
    const index = Number(at.split('/').pop()) + 1;
    report.change(`${at}/name`, `missing: named 'Legacy rule ${index}'`);
    return `Legacy rule ${index}`;
  }
  if (text.length > 200) report.change(`${at}/name`, 'shortened to 200 characters');
  return text.slice(0, 200);
}

function thresholdOf(raw: Loose, at: string, report: LegacyReport): number | undefined {
  const type = raw.threshold_type ?? 'immediate';
  if (type === 'immediate') {
    const count = toInteger(raw.threshold_count);
    if (count !== undefined && count !== 1) {
      report.change(`${at}/threshold_count`, `${count} ignored: the rule is immediate, so it fires on the first match (threshold 1), as before`);
    }
    return 1;
  }

  if (type !== 'count') {
    report.problem(`${at}/threshold_type`, 'must be immediate or count');
    return undefined;
  }
  const count = toInteger(raw.threshold_count);
  if (count !== undefined && count >= 1) return count;
  report.problem(`${at}/threshold_count`, 'must be a whole number of at least 1');
  return undefined;
}

function windowOf(value: unknown, at: string, report: LegacyReport): number | undefined {
  if (isUnset(value)) return 10; // the legacy default
  const minutes = toInteger(value);
  if (minutes !== undefined && minutes >= 1 && minutes <= 10080) return minutes;
  report.problem(at, 'must be a whole number of minutes from 1 to 10080 (7 days)');
  return undefined;
}

/** Severity and cooldown: the Python tool had no severity and (at first) no cooldown. */
function finish<D extends Draft>(draft: Unfinished<D>, raw: Loose, at: string, report: LegacyReport): D | undefined {
  const known = matchingDefault(draft as unknown as RuleTarget);
  const severity = known?.severity ?? FALLBACK_SEVERITY;

  if (isUnset(raw.cooldown_minutes)) {
    const cooldownMinutes = known?.cooldownMinutes ?? FALLBACK_COOLDOWN;
    report.change(at, `severity ${severity} and cooldownMinutes ${cooldownMinutes} added: the legacy rule had neither and mailed again on every run`);
    return ordered({ ...draft, severity, cooldownMinutes } as D);
  }

  const cooldown = toInteger(raw.cooldown_minutes);
  if (cooldown === undefined || cooldown < 0 || cooldown > 43200) {
    report.problem(`${at}/cooldown_minutes`, 'must be a whole number of minutes from 0 to 43200');
    return undefined;
  }
  report.change(at, `severity ${severity} added: legacy rules had none`);
  return ordered({ ...draft, severity, cooldownMinutes: cooldown } as D);
}

/** Keys in the order people read them (JSON.stringify keeps insertion order). */
function ordered<D extends Draft>(d: D): D {
  const { name, type, severity, threshold, windowMinutes, cooldownMinutes, description, enabled, ...match } = d;
  const out = { name, type, ...match, threshold, windowMinutes, cooldownMinutes, severity } as Loose;
  if (description !== undefined) out.description = description;
  if (enabled !== undefined) out.enabled = enabled;
  return out as D;
}

/** A unique slug in place of the legacy epoch-seconds id. */
function withId({ draft, legacyId, at }: Converted, shared: Map<string, number>, taken: Set<string>, report: LegacyReport): Rule {
  const id = uniqueId(baseId(draft as unknown as RuleTarget), taken);
  const was = isUnset(legacyId) ? 'no legacy id' : `legacy id ${JSON.stringify(legacyId)}`;
  const count = shared.get(String(legacyId)) ?? 0;
  const note = count > 1 ? ` (${count} rules shared that id, so their counts and cooldowns mixed)` : '';
  report.change(`${at}/id`, `${was} replaced by '${id}'${note}`);
  return { id, ...draft } as Rule;
}

function countIds(raw: unknown[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of raw) {
    if (!isObject(r) || isUnset(r.id) || r.type === 'bandwidth' || r.type === 'volume') continue;
    counts.set(String(r.id), (counts.get(String(r.id)) ?? 0) + 1);
  }
  return counts;
}

function healthRule(taken: Set<string>, report: LegacyReport): HealthRule {
  const known = defaultRules().find((r): r is HealthRule => r.type === 'health');
  const base: Omit<HealthRule, 'id'> = known
    ? { name: known.name, type: 'health', threshold: known.threshold, windowMinutes: known.windowMinutes, cooldownMinutes: known.cooldownMinutes, severity: known.severity }
    : { name: 'PCE health', type: 'health', threshold: 1, windowMinutes: 10, cooldownMinutes: 60, severity: 'critical' };

  const rule: HealthRule = { id: uniqueId(known?.id ?? 'pce-health', taken), ...base };
  report.change('/rules', `added the health rule '${rule.id}': the legacy tool checked PCE health on every run`);
  return rule;
}

/**
 * Event rule matching: exact event types through a Set, globs (`agent.*`)
 * through picomatch, then the optional status and PCE severity filters.
 * Each rule is compiled once per run.
 */
import picomatch from 'picomatch';
import type { EventRule, PceEvent } from '../types.js';

export interface CompiledEventRule {
  rule: EventRule;
  matches(ev: PceEvent): boolean;
}

export function compileEventRule(rule: EventRule): CompiledEventRule {
  const typeMatches = eventTypeMatcher(rule.eventTypes);
  const severities = rule.pceSeverities?.length ? new Set<string>(rule.pceSeverities) : undefined;
  const status = rule.status;

  return {
    rule,
    matches(ev) {
      if (typeof ev.event_type !== 'string' || !typeMatches(ev.event_type)) return false;
      if (status !== undefined && ev.status !== status) return false;
      if (severities && (typeof ev.severity !== 'string' || !severities.has(ev.severity))) return false;
      return true;
    },
  };
}

/** One predicate for a list of exact names and globs. */
export function eventTypeMatcher(patterns: readonly string[]): (eventType: string) => boolean {
  const exact = new Set<string>();
  const globs: ((s: string) => boolean)[] = [];

  for (const pattern of patterns) {
    if (picomatch.scan(pattern).isGlob) globs.push(picomatch(pattern, { dot: true }));
    else exact.add(pattern);
  }

  if (globs.length === 0) return (t) => exact.has(t);
  return (t) => exact.has(t) || globs.some((g) => g(t));
}

/**
 * Compile the configured rules once per run. Traffic rules are indexed by
 * policy decision, so a flow is only tested against the rules that could
 * take it, and a flow no rule wants costs one Map lookup.
 */
import type { EventRule, HealthRule, Rule, TrafficRule } from '../types.js';
import { compileEventRule, type CompiledEventRule } from './match-event.js';
import { compileTrafficRule, type CompiledTrafficRule } from './match-traffic.js';

export interface CompiledRules {
  events: CompiledEventRule[];
  traffic: TrafficIndex;
  health: HealthRule[];
}

/** Enabled rules only; throws ConfigError on a traffic filter that cannot be compiled. */
export function compileRules(rules: readonly Rule[], opts: { now: number }): CompiledRules {
  const active = rules.filter((r) => r.enabled !== false);

  return {
    events: active.filter((r): r is EventRule => r.type === 'event').map(compileEventRule),
    traffic: new TrafficIndex(active.filter((r): r is TrafficRule => r.type === 'traffic'), opts.now),
    health: active.filter((r): r is HealthRule => r.type === 'health'),
  };
}

export class TrafficIndex {
  readonly rules: CompiledTrafficRule[];
  private readonly byDecision = new Map<string, CompiledTrafficRule[]>();
  /** Rules with an empty policyDecisions list take every decision. */
  private readonly anyDecision: CompiledTrafficRule[];

  constructor(rules: readonly TrafficRule[], now: number) {
    this.rules = rules.map((r) => compileTrafficRule(r, now));
    this.anyDecision = this.rules.filter((c) => c.rule.policyDecisions.length === 0);

    for (const c of this.rules) {
      for (const decision of new Set(c.rule.policyDecisions)) {
        const list = this.byDecision.get(decision) ?? [...this.anyDecision];
        list.push(c);
        this.byDecision.set(decision, list);
      }
    }
  }

  /** The rules a flow with this policy decision may match, in config order. */
  candidates(decision: string): readonly CompiledTrafficRule[] {
    return this.byDecision.get(decision) ?? this.anyDecision;
  }
}

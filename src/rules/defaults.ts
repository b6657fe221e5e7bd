/**
 * The best-practice rule set `rules load-defaults` installs. Ids are stable
 * slugs: history, cooldowns and unsent mail are keyed by them, so renaming
 * one would reset its state. Change names and numbers, never ids.
 */
import type { Rule } from '../types.js';

const RULES: readonly Rule[] = [
  {
    id: 'agent-tampering', name: 'Agent tampering', type: 'event',
    eventTypes: ['agent.tampering'], threshold: 1, windowMinutes: 10, cooldownMinutes: 30, severity: 'critical',
    description: 'A VEN found its host firewall changed behind its back and restored it.',
  },
  {
    id: 'agent-offline', name: 'Agent offline', type: 'event',
    eventTypes: ['system_task.agent_offline_check'], threshold: 1, windowMinutes: 10, cooldownMinutes: 60, severity: 'high',
    description: 'The PCE marked VENs offline (about 12 missed heartbeats); their workloads drop out of policy.',
  },
  {
    id: 'agent-missed-heartbeats', name: 'Agent missed heartbeats', type: 'event',
    eventTypes: ['system_task.agent_missed_heartbeats_check'], threshold: 1, windowMinutes: 10, cooldownMinutes: 60, severity: 'medium',
    description: 'VENs missed 3 heartbeats: an early warning before they go offline.',
  },
  {
    id: 'agent-suspended', name: 'Agent suspended', type: 'event',
    eventTypes: ['agent.suspend'], threshold: 1, windowMinutes: 10, cooldownMinutes: 30, severity: 'high',
    description: 'A VEN was suspended; its workload is unprotected until it is unsuspended.',
  },
  {
    id: 'agent-clone-detected', name: 'Agent clone detected', type: 'event',
    eventTypes: ['agent.clone_detected'], threshold: 1, windowMinutes: 10, cooldownMinutes: 60, severity: 'high',
    description: 'A cloned VEN was detected through an agent token mismatch.',
  },
  {
    id: 'api-auth-failures', name: 'API authentication failures', type: 'event',
    eventTypes: ['request.authentication_failed'], threshold: 5, windowMinutes: 10, cooldownMinutes: 30, severity: 'high',
    description: 'Repeated API requests with bad credentials: a broken integration or someone guessing keys.',
  },
  {
    id: 'console-login-failures', name: 'Console login failures', type: 'event',
    eventTypes: ['user.sign_in', 'user.login'], status: 'failure', threshold: 5, windowMinutes: 10, cooldownMinutes: 30, severity: 'high',
    description: 'Repeated failed logins to the PCE web console or API login.',
  },
  {
    id: 'pce-health', name: 'PCE health', type: 'health',
    threshold: 1, windowMinutes: 10, cooldownMinutes: 60, severity: 'critical',
    description: 'The PCE is unreachable or reports a cluster that is not normal.',
  },
  {
    id: 'blocked-traffic', name: 'High-volume blocked traffic', type: 'traffic',
    policyDecisions: ['blocked'], threshold: 10, windowMinutes: 10, cooldownMinutes: 60, severity: 'medium',
    description: 'At least 10 blocked connections in 10 minutes.',
  },
  {
    id: 'potentially-blocked-traffic', name: 'Potentially blocked traffic', type: 'traffic',
    policyDecisions: ['potentially_blocked'], threshold: 10, windowMinutes: 10, cooldownMinutes: 60, severity: 'low',
    description: 'At least 10 connections in 10 minutes that enforcement would block (workloads in visibility mode).',
  },
];

/** A fresh copy of the default rules, safe to modify. */
export function defaultRules(): Rule[] {
  return structuredClone(RULES) as Rule[];
}

export const DEFAULT_RULE_IDS: readonly string[] = RULES.map((r) => r.id);

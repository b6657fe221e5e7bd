/**
 * What `state show` reports, computed from the state and the rules without
 * touching any file: checkpoint, per-rule window counts and cooldowns, and
 * the mail still waiting for delivery.
 */
import type { Rule, StateFile } from '../types.js';
import { parsePceTime } from '../util/time.js';
import { MINUTE, windowCount } from '../rules/history.js';

export interface RuleSummary {
  id: string;
  type: Rule['type'];
  enabled: boolean;
  threshold: number;
  windowMinutes: number;
  /** Matches the state remembers in the window; null for traffic (re-read each run). */
  windowCount: number | null;
  newSinceAlert: number;
  lastAlertAt: string | null;
  lastAlertedMatchAt: string | null;
  cooldownRemainingMinutes: number;
  pendingDelivery: boolean;
  /** Matches held back by the cooldown and owed a mail when it ends (null: none). */
  heldBack: { count: number; since: string } | null;
}

export interface StateSummary {
  file: string;
  source: 'file' | 'backup' | 'none';
  bytes: number;
  eventsCheckpoint: string | null;
  seenEvents: number;
  lastRun: StateFile['lastRun'] | null;
  rules: RuleSummary[];
  /** Rule states kept for rules that are no longer configured (compaction drops them). */
  unconfiguredRules: string[];
  outbox: { id: string; createdAt: string; attempts: number; ruleIds: string[]; lastError: string | null }[];
}

export function summarizeState(
  state: StateFile,
  rules: readonly Rule[],
  now: number,
  file: { path: string; bytes: number; source: StateSummary['source'] },
): StateSummary {
  const pending = new Set(state.outbox.flatMap((m) => m.ruleIds));
  const configured = new Set(rules.map((r) => r.id));

  return {
    file: file.path,
    source: file.source,
    bytes: file.bytes,
    eventsCheckpoint: state.eventsCheckpoint ?? null,
    seenEvents: Object.keys(state.seenEvents).length,
    lastRun: state.lastRun ?? null,
    rules: rules.map((rule) => {
      const rs = state.rules[rule.id];
      const last = parsePceTime(rs?.lastAlertAt);
      const remaining = last === undefined ? 0 : last + rule.cooldownMinutes * MINUTE - now;
      return {
        id: rule.id,
        type: rule.type,
        enabled: rule.enabled !== false,
        threshold: rule.threshold,
        windowMinutes: rule.windowMinutes,
        windowCount: rule.type === 'traffic' ? null : windowCount(rs, rule, now),
        newSinceAlert: rs?.newSinceAlert ?? 0,
        lastAlertAt: rs?.lastAlertAt ?? null,
        lastAlertedMatchAt: rs?.lastAlertedMatchAt ?? null,
        cooldownRemainingMinutes: Math.max(0, Math.ceil(remaining / MINUTE)),
        pendingDelivery: pending.has(rule.id),
        heldBack: rs?.held?.since ? { count: rs.held.count, since: rs.held.since } : null,
      };
    }),
    unconfiguredRules: Object.keys(state.rules).filter((id) => !configured.has(id)),
    outbox: state.outbox.map((m) => ({
      id: m.id,
      createdAt: m.createdAt,
      attempts: m.attempts,
      ruleIds: m.ruleIds,
      lastError: m.lastError ?? null,
    })),
  };
}

export function summaryText(s: StateSummary): string {
  const lines = [
    `State file: ${s.file} (${s.bytes} bytes)${s.source === 'backup' ? ' - NOT VALID, showing its backup' : ''}${s.source === 'none' ? ' - not created yet' : ''}`,
    `Events checkpoint: ${s.eventsCheckpoint ?? 'none (the first run reads back the first-run look-back)'}`,
    `Remembered event ids: ${s.seenEvents}`,
    `Last run: ${s.lastRun ? `${s.lastRun.at} ${s.lastRun.ok ? 'ok' : 'FAILED'}, ${s.lastRun.alerts} alerts, ${s.lastRun.eventsFetched} events, ${s.lastRun.flows} flows` : 'never'}`,
    '',
    'Rules:',
  ];

  for (const r of s.rules) {
    const count = r.windowCount === null ? 'traffic re-read each run' : `${r.windowCount}/${r.threshold} in ${r.windowMinutes} min`;
    const cooldown = r.cooldownRemainingMinutes > 0 ? `, cooldown ${r.cooldownRemainingMinutes} min left` : '';
    const flags = `${r.enabled ? '' : ' (disabled)'}${r.pendingDelivery ? ' (alert waiting for delivery)' : ''}`;
    const held = r.heldBack ? `, ${r.heldBack.count} held back since ${r.heldBack.since} (mailed when the cooldown ends)` : '';
    lines.push(`  ${r.id} [${r.type}]${flags}: ${count}, last alert ${r.lastAlertAt ?? 'never'}${cooldown}${held}`);
  }
  if (s.rules.length === 0) lines.push('  (no rules configured)');
  if (s.unconfiguredRules.length) lines.push(`  no longer configured (dropped on compaction): ${s.unconfiguredRules.join(', ')}`);

  lines.push('', `Outbox: ${s.outbox.length} message(s) waiting for delivery`);
  for (const m of s.outbox) {
    lines.push(`  ${m.createdAt} ${m.ruleIds.join(', ')}: ${m.attempts} attempt(s)${m.lastError ? `, last error: ${m.lastError}` : ''}`);
  }
  return lines.join('\n');
}

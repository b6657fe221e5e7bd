/**
 * What a run tells its caller: a few lines for a person, and a stable JSON
 * document for scripts (`run --json`).
 */
import type { Alert } from '../types.js';
import type { EventsOutcome, HealthOutcome, TrafficOutcome } from './collect.js';
import type { Evaluation } from '../rules/evaluate.js';

export interface RunReport {
  ok: boolean;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  events: EventsOutcome;
  traffic: TrafficOutcome | undefined;
  health: HealthOutcome | undefined;
  alerts: Alert[];
  suppressed: Evaluation['suppressed'];
  rulesEvaluated: number;
  email: {
    sent: boolean;
    to: string[];
    messageId?: string;
    savedTo?: string;
    /** Mail kept from earlier runs: delivered now, still failing, or given up on. */
    retried: { delivered: number; failed: number; dropped: number };
    queued: number;
  };
  errors: string[];
}

export function reportJson(r: RunReport, exitCode: number): unknown {
  return {
    ok: r.ok,
    exitCode,
    dryRun: r.dryRun,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    events: {
      from: r.events.from,
      to: r.events.to,
      readUntil: r.events.readUntil ?? null,
      fetched: r.events.fetched,
      new: r.events.new,
      complete: r.events.complete,
      skipped: r.events.skipped,
      error: r.events.error ?? null,
    },
    traffic: r.traffic
      ? {
          queried: true,
          from: r.traffic.from,
          to: r.traffic.to,
          flows: r.traffic.flows,
          matchesCount: r.traffic.matchesCount,
          flowsCount: r.traffic.flowsCount,
          truncated: r.traffic.truncated,
          skipped: r.traffic.skipped,
          error: r.traffic.error ?? null,
        }
      : { queried: false, flows: 0 },
    health: r.health ?? null,
    rulesEvaluated: r.rulesEvaluated,
    alerts: r.alerts.map((a) => ({
      ruleId: a.ruleId,
      ruleName: a.ruleName,
      type: a.ruleType,
      severity: a.severity,
      count: a.count,
      threshold: a.threshold,
      windowMinutes: a.windowMinutes,
      windowStart: a.windowStart,
      windowEnd: a.windowEnd,
      firstSeen: a.firstSeen ?? null,
      lastSeen: a.lastSeen ?? null,
      topTalkers: a.topTalkers.map((t) => ({ label: t.label, count: t.count })),
      details: a.details,
    })),
    suppressed: r.suppressed,
    email: r.email,
    errors: r.errors,
  };
}

export function reportText(r: RunReport): string {
  const lines: string[] = [];
  const e = r.events;
  lines.push(`Events: ${e.fetched} read (${e.new} new) from ${e.from} to ${e.readUntil ?? e.to}${e.complete ? '' : ' (INCOMPLETE)'}`);
  if (r.traffic) {
    const t = r.traffic;
    const cut = t.truncated ? ` (the PCE cut the result: ${t.flowsCount} of ${t.matchesCount} flows)` : '';
    lines.push(`Traffic: ${t.error ? 'not analysed' : `${t.flows} flows analysed${cut}`} from ${t.from} to ${t.to}`);
  }
  if (r.health) lines.push(`PCE health: ${r.health.ok ? 'normal' : r.health.problems.join('; ')}`);

  if (r.alerts.length === 0) {
    lines.push(`No alerts (${r.rulesEvaluated} rules evaluated).`);
  } else {
    lines.push(`${r.alerts.length} alert${r.alerts.length === 1 ? '' : 's'}:`);
    for (const a of r.alerts) {
      const held = a.held ? `, held back by the cooldown since ${a.held.since}` : '';
      lines.push(`  ${a.severity.toUpperCase().padEnd(8)} ${a.ruleId}: ${a.count} in ${a.windowMinutes} min (threshold ${a.threshold}${held})`);
    }
  }

  // Matches a cooldown holds back are mailed later, not lost: say so.
  const held = r.suppressed.filter((s) => s.held !== undefined);
  if (held.length) {
    const list = held.map((s) => `${s.ruleId} (${s.held})`).join(', ');
    lines.push(`Held back by cooldown: ${list}; ${held.length === 1 ? 'it is' : 'they are'} mailed when the cooldown ends.`);
  }

  if (r.email.savedTo) lines.push(`Email saved to ${r.email.savedTo}`);
  if (r.dryRun) lines.push('Dry run: nothing sent, state unchanged.');
  else if (r.email.sent) lines.push(`Email sent to ${r.email.to.join(', ')} (${r.email.messageId ?? 'no id'})`);
  if (r.email.retried.delivered) lines.push(`Delivered ${r.email.retried.delivered} message(s) kept from earlier runs.`);
  if (r.email.queued) lines.push(`${r.email.queued} message(s) kept for retry on the next run.`);
  return lines.join('\n');
}

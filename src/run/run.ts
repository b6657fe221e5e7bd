/**
 * One monitoring cycle: fetch, analyse, alert, record. The state is written
 * in two phases around the mail: first with the new message in the outbox,
 * then without it once the relay accepted it, so a crash or a refused
 * message never loses an alert and never advances past unread data.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import type { Context } from '../context.js';
import { errorMessage } from '../errors.js';
import { renderAlertEmail, type Coverage } from '../alert/render.js';
import { composeMessage, sendRaw } from '../alert/send.js';
import { PceClient } from '../pce/client.js';
import { evaluate, markDelivered } from '../rules/evaluate.js';
import { acquireLock } from '../state/lock.js';
import { compactState, inspectState, loadState, saveState } from '../state/store.js';
import type { Alert, ResolvedConfig, StateFile } from '../types.js';
import { toIsoZ } from '../util/time.js';
import { RecordArrays, teeRecords } from '../rules/offline-records.js';
import { collectEvents, collectHealth, collectTraffic, enabled } from './collect.js';
import { afterFailure, flushOutbox, outcome, pendingMail } from './deliver.js';
import { RecordLog } from './record-log.js';
import type { RunReport } from './report.js';

export interface RunOptions {
  /** Evaluate and render, but send nothing and change no state. */
  dryRun: boolean;
  /** Write the message that would be (or was) sent to this .eml file. */
  saveEmail?: string;
  /** Also write the new events and matched flows as events.json / flows.json (JSON arrays) here, for `rules test`. */
  saveRecords?: string;
}

export async function runOnce(config: ResolvedConfig, options: RunOptions, ctx: Context): Promise<RunReport> {
  const lock = options.dryRun
    ? undefined
    : await acquireLock(`${config.stateFile}.lock`, {
        staleMs: config.monitor.lockStaleMinutes * 60_000,
        now: ctx.clock.now(),
        log: ctx.log,
      });
  try {
    return await cycle(config, options, ctx);
  } finally {
    await lock?.release();
  }
}

async function cycle(config: ResolvedConfig, options: RunOptions, ctx: Context): Promise<RunReport> {
  const startedAt = ctx.clock.now();
  const errors: string[] = [];
  // A dry run only reads: a bad state is reported, never moved aside or restored.
  let state = options.dryRun ? await peekState(config.stateFile, ctx) : (await loadState(config.stateFile, ctx.log)).state;

  // Mail a previous run could not deliver goes first.
  const outbox = { delivered: 0, failed: 0, dropped: 0 };
  if (!options.dryRun && state.outbox.length > 0) {
    const flushed = await flushOutbox(state, config.email, () => ctx.clock.now(), ctx.log);
    state = flushed.state;
    const { delivered, failed, dropped } = flushed.report;
    Object.assign(outbox, { delivered, failed, dropped });
    errors.push(...flushed.report.errors);
    await saveState(config.stateFile, state);
  }

  const now = ctx.clock.now();
  const client = new PceClient(config.pce, {
    clock: ctx.clock,
    log: ctx.log,
    retryMaxAttempts: config.monitor.retryMaxAttempts,
    retryBudgetMs: config.monitor.retryBudgetSeconds * 1000,
  });
  const records = new RecordLog({ dir: config.logDir, maxBytes: config.logMaxBytes, maxFiles: config.logMaxFiles });
  if (!options.dryRun) await records.open(['events', 'flows']);
  const saved = options.saveRecords ? new RecordArrays(options.saveRecords) : undefined;
  await saved?.open();
  const sink = saved ? teeRecords(records, saved) : records;

  let events, traffic, health;
  try {
    events = await collectEvents(client, config, state, now, sink);
    traffic = await collectTraffic(client, config, now, ctx, sink);
    health = enabled(config.rules, 'health').length
      ? await collectHealth(client, !events.unreachable, events.error)
      : undefined;
  } finally {
    client.close();
    if (!options.dryRun) await records.close();
    await saved?.close();
  }
  for (const problem of [events.error, traffic?.error]) if (problem) errors.push(problem);

  const evaluation = evaluate({
    rules: config.rules,
    state,
    now,
    events: events.matches,
    traffic: traffic?.error ? undefined : traffic?.matches,
    health,
  });

  let next = recordReads(evaluation.state, events);
  const coverage: Coverage = {
    rangeStart: events.from,
    rangeEnd: events.readUntil ?? events.from,
    eventsFetched: events.fetched,
    flowsAnalysed: traffic?.flows ?? 0,
    trafficError: traffic?.error,
    flowsMatchedTotal: traffic?.matchesCount,
    truncated: traffic?.truncated ?? false,
    rulesEvaluated: evaluation.evaluated,
    suppressedByCooldown: evaluation.suppressed.filter((s) => s.reason === 'cooldown').length,
    incomplete: events.complete ? undefined : events.error,
  };

  const email = await alertByMail(evaluation.alerts, coverage, next, config, options, ctx);
  next = email.state;
  errors.push(...(email.errors ?? []));

  if (!options.dryRun) {
    const compact = (s: StateFile) => compactState(s, config.rules, ctx.clock.now(), config.monitor.overlapMinutes * 60_000);
    const before = compact(state);
    next = compact(next);
    // A failed run that learned nothing (PCE down, retry budget spent) leaves the state file byte-identical;
    // after a retried delivery the write must happen too, so the backup no longer holds that message.
    if (errors.length === 0 || outbox.delivered > 0 || JSON.stringify(next) !== JSON.stringify(before)) {
      next.lastRun = {
        at: toIsoZ(startedAt),
        ok: errors.length === 0,
        alerts: evaluation.alerts.length,
        eventsFetched: events.fetched,
        flows: traffic?.flows ?? 0,
      };
      await saveState(config.stateFile, next);
    }
  }

  return {
    ok: errors.length === 0,
    dryRun: options.dryRun,
    startedAt: toIsoZ(startedAt),
    finishedAt: toIsoZ(ctx.clock.now()),
    events,
    traffic,
    health,
    alerts: evaluation.alerts,
    suppressed: evaluation.suppressed,
    rulesEvaluated: evaluation.evaluated,
    email: { ...email.report, retried: outbox, queued: next.outbox.length },
    errors,
  };
}

async function peekState(file: string, ctx: Context): Promise<StateFile> {
  const { state, source, problem } = await inspectState(file);
  if (source === 'backup') ctx.log.warn(`state file ${file}: ${problem}; this dry run reads its backup (a real run restores it)`);
  return state;
}

/** Advance the checkpoint only as far as events were completely read. */
function recordReads(state: StateFile, events: Awaited<ReturnType<typeof collectEvents>>): StateFile {
  const next: StateFile = { ...state, seenEvents: { ...state.seenEvents } };
  for (const [href, at] of events.seen) next.seenEvents[href] = at;
  if (events.readUntil) next.eventsCheckpoint = events.readUntil;
  return next;
}

interface MailOutcome {
  state: StateFile;
  report: { sent: boolean; to: string[]; messageId?: string; savedTo?: string };
  errors?: string[];
}

async function alertByMail(
  alerts: Alert[],
  coverage: Coverage,
  state: StateFile,
  config: ResolvedConfig,
  options: RunOptions,
  ctx: Context,
): Promise<MailOutcome> {
  const report: MailOutcome['report'] = { sent: false, to: config.email.to };
  if (alerts.length === 0) return { state, report };

  const rendered = renderAlertEmail(alerts, {
    email: config.email,
    pceUrl: config.pce.url,
    orgId: config.pce.orgId,
    now: ctx.clock.now(),
    coverage,
    hostname: os.hostname(),
  });
  const message = await composeMessage(rendered, config.email, { date: new Date(ctx.clock.now()) });
  report.messageId = message.messageId;
  if (options.saveEmail) {
    await fs.writeFile(options.saveEmail, message.raw, { mode: 0o600 });
    report.savedTo = options.saveEmail;
  }
  if (options.dryRun) return { state, report };

  // Phase 1: the message is in the outbox before it leaves.
  const ruleIds = alerts.map((a) => a.ruleId);
  const pending = pendingMail(message, ruleIds, ctx.clock.now());
  const queued: StateFile = { ...state, outbox: [...state.outbox, pending] };
  await saveState(config.stateFile, queued);

  // Phase 2: delivered -> out of the outbox, cooldown starts.
  try {
    await sendRaw(config.email.smtp, message, ctx.log);
    const delivered = markDelivered({ ...state }, ruleIds, ctx.clock.now());
    // Written at once, so the backup the final write keeps no longer holds the delivered message.
    await saveState(config.stateFile, delivered);
    return { state: delivered, report: { ...report, sent: true } };
  } catch (err) {
    // Recipients refused permanently are dropped at once; with nobody left, the message is not kept.
    const after = afterFailure(pending, err);
    const outbox = state.outbox.concat(after.kept ?? []);
    const kept: StateFile = after.kept || after.acceptedBy.length === 0
      ? { ...queued, outbox }
      : markDelivered({ ...queued, outbox }, ruleIds, ctx.clock.now());
    return {
      state: kept,
      report,
      errors: [`alert mail ${outcome(after, 'not delivered, kept for the next run')}: ${errorMessage(err)}`, ...after.errors],
    };
  }
}

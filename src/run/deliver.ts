/**
 * Mail delivery with an outbox: a message the relay did not accept stays in
 * the state and is retried at the start of the next run, so every alert is
 * delivered exactly once, and cooldowns start only on delivery.
 */
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../errors.js';
import type { Logger } from '../output.js';
import { MailNotAcceptedError, sendRaw } from '../alert/send.js';
import { markDelivered } from '../rules/evaluate.js';
import type { PendingMail, ResolvedSmtp, StateFile } from '../types.js';
import { toIsoZ } from '../util/time.js';

export interface OutboxReport {
  delivered: number;
  failed: number;
  errors: string[];
}

/** Retry every pending message; delivered ones leave the outbox and start their cooldown. */
export async function flushOutbox(
  state: StateFile,
  smtp: ResolvedSmtp,
  now: () => number,
  log: Logger,
): Promise<{ state: StateFile; report: OutboxReport }> {
  const report: OutboxReport = { delivered: 0, failed: 0, errors: [] };
  let next: StateFile = { ...state, outbox: [] };

  for (const mail of state.outbox) {
    try {
      await sendRaw(smtp, mail, log);
      next = markDelivered(next, mail.ruleIds, now());
      report.delivered++;
      log.info(`delivered mail kept from ${mail.createdAt} (${mail.ruleIds.join(', ')})`);
    } catch (err) {
      const message = errorMessage(err);
      next.outbox.push(keepUndelivered(mail, err));
      report.failed++;
      report.errors.push(`kept mail from ${mail.createdAt} still not delivered: ${message}`);
    }
  }
  return { state: next, report };
}

/**
 * What stays in the outbox after a failed attempt: when the relay took the
 * message for some recipients, only the others are retried, so nobody gets it
 * twice. The raw message keeps its headers; only the envelope narrows.
 */
export function keepUndelivered(mail: PendingMail, err: unknown): PendingMail {
  const kept = { ...mail, attempts: mail.attempts + 1, lastError: errorMessage(err) };
  if (err instanceof MailNotAcceptedError && err.accepted.length > 0) {
    const accepted = new Set(err.accepted.map((a) => a.toLowerCase()));
    kept.envelope = { ...mail.envelope, to: mail.envelope.to.filter((to) => !accepted.has(to.toLowerCase())) };
  }
  return kept;
}

export function pendingMail(
  message: { raw: string; envelope: { from: string; to: string[] } },
  ruleIds: string[],
  now: number,
): PendingMail {
  return {
    id: randomUUID(),
    createdAt: toIsoZ(now),
    attempts: 0,
    ruleIds,
    raw: message.raw,
    envelope: message.envelope,
  };
}

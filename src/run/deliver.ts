/**
 * Mail delivery with an outbox: a message the relay did not accept stays in
 * the state and is retried at the start of the next run, so every alert is
 * delivered exactly once, and cooldowns start only on delivery.
 *
 * The outbox stays bounded and never retries what cannot succeed: a kept
 * message goes only to recipients still in email.to; a recipient the relay
 * refuses permanently (5xx to RCPT) is dropped at once; a message kept for
 * more than OUTBOX_MAX_AGE_MS is given up. Each loss is an error line of the
 * run that learns it (exit 1 then); later runs do not repeat it.
 */
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../errors.js';
import type { Logger } from '../output.js';
import { MailNotAcceptedError, sendRaw } from '../alert/send.js';
import { markDelivered } from '../rules/evaluate.js';
import type { PendingMail, ResolvedConfig, StateFile } from '../types.js';
import { toIsoZ } from '../util/time.js';

/** A kept message older than this is dropped (7 days: a relay down that long needs a human anyway). */
export const OUTBOX_MAX_AGE_MS = 7 * 24 * 60 * 60_000;

export interface OutboxReport {
  delivered: number;
  failed: number;
  /** Messages that left the outbox undelivered: too old, or nobody left to send them to. */
  dropped: number;
  errors: string[];
}

/** What a failed attempt leaves: the message to keep (if anyone is left to retry), and what was lost. */
export interface FailedAttempt {
  kept: PendingMail | undefined;
  /** Recipients that took the message in this attempt. */
  acceptedBy: string[];
  /** One line per recipient dropped for a permanent refusal. */
  errors: string[];
}

/** Retry every pending message; delivered ones leave the outbox and start their cooldown. */
export async function flushOutbox(
  state: StateFile,
  email: Pick<ResolvedConfig['email'], 'smtp' | 'to'>,
  now: () => number,
  log: Logger,
): Promise<{ state: StateFile; report: OutboxReport }> {
  const report: OutboxReport = { delivered: 0, failed: 0, dropped: 0, errors: [] };
  let next: StateFile = { ...state, outbox: [] };

  for (const kept of state.outbox) {
    const mail = sendable(kept, email.to, now(), log, report);
    if (!mail) continue;

    try {
      await sendRaw(email.smtp, mail, log);
      next = markDelivered(next, mail.ruleIds, now());
      report.delivered++;
      log.info(`delivered mail kept from ${mail.createdAt} (${mail.ruleIds.join(', ')})`);
    } catch (err) {
      const after = afterFailure(mail, err);
      report.errors.push(`kept mail from ${mail.createdAt} ${outcome(after, 'still not delivered')}: ${errorMessage(err)}`, ...after.errors);
      if (after.kept) next.outbox.push(after.kept);
      else if (after.acceptedBy.length > 0) next = markDelivered(next, mail.ruleIds, now());
      report.failed++;
    }
  }
  return { state: next, report };
}

/**
 * The kept message as it may be sent now, or undefined when it leaves the
 * outbox unsent: too old (an error), or none of its recipients is still in
 * email.to (a warning: the user removed them on purpose).
 */
function sendable(mail: PendingMail, to: string[], now: number, log: Logger, report: OutboxReport): PendingMail | undefined {
  const age = now - Date.parse(mail.createdAt);
  if (age > OUTBOX_MAX_AGE_MS) {
    report.dropped++;
    report.errors.push(
      `kept mail from ${mail.createdAt} (${mail.ruleIds.join(', ')}) dropped undelivered after ${Math.floor(age / 86_400_000)} days of retries; last error: ${mail.lastError ?? 'none'}`,
    );
    return undefined;
  }

  const wanted = new Set(to.map(lower));
  const gone = mail.envelope.to.filter((r) => !wanted.has(lower(r)));
  if (gone.length === 0) return mail;

  const left = mail.envelope.to.filter((r) => wanted.has(lower(r)));
  log.warn(`kept mail from ${mail.createdAt}: ${gone.join(', ')} no longer in email.to, dropped from its recipients`);
  if (left.length > 0) return { ...mail, envelope: { ...mail.envelope, to: left } };

  log.warn(`kept mail from ${mail.createdAt} has no recipient left in email.to: it leaves the outbox unsent`);
  report.dropped++;
  return undefined;
}

/**
 * What stays in the outbox after a failed attempt: when the relay took the
 * message for some recipients, only the others are retried, so nobody gets it
 * twice; recipients refused permanently are dropped, so a dead address does
 * not fail every later run. The raw message keeps its headers; only the
 * envelope narrows. Temporary refusals (4xx) and broken connections keep it.
 */
export function afterFailure(mail: PendingMail, err: unknown): FailedAttempt {
  const kept = { ...mail, attempts: mail.attempts + 1, lastError: errorMessage(err) };
  if (!(err instanceof MailNotAcceptedError)) return { kept, acceptedBy: [], errors: [] };

  const done = new Set([...err.accepted, ...err.permanent].map(lower));
  const errors = err.refusals
    .filter((r) => err.permanent.includes(r.recipient))
    .map((r) => `${r.recipient} refused permanently (${r.response}): dropped from the kept message`);
  kept.envelope = { ...mail.envelope, to: mail.envelope.to.filter((to) => !done.has(lower(to))) };

  return { kept: kept.envelope.to.length > 0 ? kept : undefined, acceptedBy: err.accepted, errors };
}

/** How a failed attempt ended, for the run's error line: `notDelivered` when the message stays kept. */
export function outcome(after: FailedAttempt, notDelivered: string): string {
  if (after.kept && after.acceptedBy.length > 0) {
    return `delivered to ${after.acceptedBy.join(', ')}; kept for ${after.kept.envelope.to.join(', ')} for the next run`;
  }
  if (after.kept) return notDelivered;
  if (after.acceptedBy.length > 0) return `delivered only to ${after.acceptedBy.join(', ')}, nobody left to retry`;
  return 'not delivered, nobody left to retry';
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

function lower(address: string): string {
  return address.toLowerCase();
}

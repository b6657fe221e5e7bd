/**
 * Deliver a composed message through the configured SMTP server. Delivery
 * succeeds only when the server accepted it for every recipient; anything
 * else is a MailError whose message carries the server's reply, so the run
 * keeps the mail in its outbox and exits 1. The password never appears in
 * any message: nodemailer's errors are scrubbed before they leave here.
 */
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { MailError } from '../errors.js';
import { scrub, type Logger } from '../output.js';
import type { ResolvedSmtp } from '../types.js';
import { oneLine } from './escape.js';
import { noTlsForPassword, transportOptions, warnClearTextPassword } from './transport.js';

export { composeMessage, type ComposedMessage } from './compose.js';

export { transportOptions } from './transport.js';

export interface SendResult {
  accepted: string[];
  rejected: string[];
  response: string;
}

/** The relay's answer to RCPT TO for one refused recipient. */
export interface Refusal {
  recipient: string;
  /** The SMTP reply code, 0 when the reply had none. */
  code: number;
  /** The reply, one line, scrubbed. */
  response: string;
}

/**
 * Some or all recipients were refused; `accepted` already got the mail.
 * `permanent` lists those refused with a 5xx reply (retrying cannot help);
 * 4xx refusals are temporary and worth another try.
 */
export class MailNotAcceptedError extends MailError {
  override name = 'MailNotAcceptedError';
  readonly accepted: string[];
  readonly rejected: string[];
  readonly response: string;
  readonly refusals: Refusal[];
  readonly permanent: string[];

  constructor(message: string, result: SendResult & { refusals?: Refusal[] }, hint: string) {
    super('MAIL_NOT_ACCEPTED', message, { hint });
    this.accepted = result.accepted;
    this.rejected = result.rejected;
    this.response = result.response;
    this.refusals = result.refusals ?? [];
    this.permanent = this.refusals.filter((r) => r.code >= 500 && r.code < 600).map((r) => r.recipient);
  }
}

export async function sendRaw(
  smtp: ResolvedSmtp,
  message: { raw: string; envelope: { from: string; to: string[] } },
  log: Logger,
): Promise<SendResult> {
  warnClearTextPassword(smtp, log);
  const transport = nodemailer.createTransport(await transportOptions(smtp));
  const where = `${smtp.host}:${smtp.port}`;
  log.debug(`SMTP ${where}: sending to ${message.envelope.to.length} recipient(s)`);

  let info: SMTPTransport.SentMessageInfo;
  try {
    info = await transport.sendMail({ envelope: message.envelope, raw: message.raw });
  } catch (err) {
    throw mailFailure(err, smtp);
  } finally {
    transport.close();
  }

  const result = {
    accepted: info.accepted.map(String),
    rejected: info.rejected.map(String),
    response: oneLine(scrub(info.response ?? '', secrets(smtp))),
  };
  if (result.rejected.length > 0) {
    const refusals = refusalsOf((info as { rejectedErrors?: NodemailerError[] }).rejectedErrors, smtp);
    throw new MailNotAcceptedError(
      `SMTP server ${where} refused recipient(s) ${result.rejected.join(', ')}`,
      { ...result, refusals },
      'Check email.to against what the relay accepts.',
    );
  }

  log.debug(`SMTP ${where}: accepted: ${result.response}`);
  return result;
}

interface NodemailerError {
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  recipient?: string;
  rejected?: string[];
  rejectedErrors?: NodemailerError[];
  message?: string;
}

const CONNECT_HINT = 'Check email.smtp.host and port, and that the relay is running and reachable.';
const TLS_HINT =
  'TLS with the relay failed: set email.smtp.caFile to the CA that signed its certificate, or email.smtp.starttls to "off" for a loopback relay without TLS.';

/** One line saying what failed and what to do; never the password. */
function mailFailure(err: unknown, smtp: ResolvedSmtp): MailError {
  const e = (err ?? {}) as NodemailerError;
  const where = `${smtp.host}:${smtp.port}`;
  const reply = oneLine(scrub(e.response ?? e.message ?? String(err), secrets(smtp)));

  if (e.code === 'EAUTH') {
    return new MailError('MAIL_AUTH', `SMTP server ${where} refused the login of ${smtp.user ?? '(no user)'}: ${reply}`, {
      hint: 'Check email.smtp.user and the password (email.smtp.passwordFile or ILLUMIO_SMTP_PASSWORD).',
    });
  }

  // requireTLS was set for the password and the relay answered STARTTLS with a refusal: AUTH was never sent.
  if (e.code === 'ETLS' && e.command === 'STARTTLS' && e.responseCode && smtp.user) {
    return noTlsForPassword(smtp);
  }

  // No SMTP reply code means the conversation broke off (refused, timed out,
  // dropped, TLS failed): a connection problem, not a refusal of this message.
  if (e.code === 'ETLS' || !e.responseCode) {
    return new MailError('MAIL_CONNECT', `cannot deliver mail through ${where}: ${reply}`, {
      hint: e.code === 'ETLS' || /certificate|self[- ]signed|CERT_|TLS|SSL/i.test(reply) ? TLS_HINT : CONNECT_HINT,
    });
  }

  const rejected = e.rejected?.map(String) ?? [];
  return new MailNotAcceptedError(
    `SMTP server ${where} did not accept the message: ${reply}`,
    { accepted: [], rejected, response: reply, refusals: refusalsOf(e.rejectedErrors, smtp) },
    "The relay's reply says why; check its policy and log for this sender and these recipients.",
  );
}

/** nodemailer keeps one error per refused RCPT, with the recipient and the reply. */
function refusalsOf(errors: NodemailerError[] | undefined, smtp: ResolvedSmtp): Refusal[] {
  return (errors ?? []).map((e) => ({
    recipient: String(e.recipient ?? ''),
    code: e.responseCode ?? 0,
    response: oneLine(scrub(e.response ?? e.message ?? '', secrets(smtp))),
  }));
}

function secrets(smtp: ResolvedSmtp): string[] {
  return smtp.password ? [smtp.password] : [];
}

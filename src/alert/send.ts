/**
 * Deliver a composed message through the configured SMTP server. Delivery
 * succeeds only when the server accepted it for every recipient; anything
 * else is a MailError whose message carries the server's reply, so the run
 * keeps the mail in its outbox and exits 1. The password never appears in
 * any message: nodemailer's errors are scrubbed before they leave here.
 */
import { readFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { EXIT, MailError, errorMessage } from '../errors.js';
import { scrub, type Logger } from '../output.js';
import type { ResolvedSmtp } from '../types.js';
import { oneLine } from './escape.js';

export { composeMessage, type ComposedMessage } from './compose.js';

export interface SendResult {
  accepted: string[];
  rejected: string[];
  response: string;
}

/** Some or all recipients were refused; `accepted` already got the mail. */
export class MailNotAcceptedError extends MailError {
  override name = 'MailNotAcceptedError';
  readonly accepted: string[];
  readonly rejected: string[];
  readonly response: string;

  constructor(message: string, result: SendResult, hint: string) {
    super('MAIL_NOT_ACCEPTED', message, { hint });
    this.accepted = result.accepted;
    this.rejected = result.rejected;
    this.response = result.response;
  }
}

export async function sendRaw(
  smtp: ResolvedSmtp,
  message: { raw: string; envelope: { from: string; to: string[] } },
  log: Logger,
): Promise<SendResult> {
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
    throw new MailNotAcceptedError(
      `SMTP server ${where} refused recipient(s) ${result.rejected.join(', ')}`,
      result,
      'Check email.to against what the relay accepts.',
    );
  }

  log.debug(`SMTP ${where}: accepted: ${result.response}`);
  return result;
}

async function transportOptions(smtp: ResolvedSmtp): Promise<SMTPTransport.Options> {
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ignoreTLS: smtp.starttls === 'off',
    requireTLS: smtp.starttls === 'required',
    tls: { ca: smtp.caFile ? await readCa(smtp.caFile) : undefined, rejectUnauthorized: smtp.verifyTls },
    name: smtp.ehloName,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: smtp.connectionTimeoutMs,
    greetingTimeout: smtp.greetingTimeoutMs,
    socketTimeout: smtp.socketTimeoutMs,
    logger: false,
    debug: false,
  };
}

async function readCa(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new MailError('MAIL_CA_FILE', `cannot read email.smtp.caFile ${file}: ${errorMessage(err)}`, {
      exitCode: EXIT.usage,
      hint: 'Point email.smtp.caFile at the PEM file of the CA that signed the relay certificate.',
    });
  }
}

interface NodemailerError {
  code?: string;
  response?: string;
  responseCode?: number;
  rejected?: string[];
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
    { accepted: [], rejected, response: reply },
    "The relay's reply says why; check its policy and log for this sender and these recipients.",
  );
}

function secrets(smtp: ResolvedSmtp): string[] {
  return smtp.password ? [smtp.password] : [];
}

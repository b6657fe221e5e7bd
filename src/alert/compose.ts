/**
 * Build the whole RFC 5322 message once, before any delivery attempt, so an
 * undelivered mail can be kept in the outbox and re-sent byte for byte.
 *
 * Header safety: the subject is made single-line, addresses holding CR/LF or
 * more than one mailbox are refused, and nodemailer encodes non-ASCII words
 * and folds every line to well under the 998-octet limit.
 */
import { randomUUID } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { EXIT, MailError } from '../errors.js';
import type { ResolvedConfig } from '../types.js';
import { oneLine } from './escape.js';
import type { RenderedEmail } from './model.js';

export interface ComposedMessage {
  raw: string;
  envelope: { from: string; to: string[] };
  messageId: string;
}

const ADDR_SPEC = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;

export async function composeMessage(
  rendered: RenderedEmail,
  email: ResolvedConfig['email'],
  opts: { messageId?: string; date?: Date } = {},
): Promise<ComposedMessage> {
  const from = mailbox(email.from, 'email.from');
  const to = email.to.map((addr, i) => mailbox(addr, `email.to[${i}]`));
  if (to.length === 0) throw addressError('email.to', 'lists no recipient');
  const messageId = checkMessageId(opts.messageId ?? `<${randomUUID()}@${domainOf(from.address)}>`);

  const composer = new MailComposer({
    from: from.header,
    to: to.map((m) => m.header),
    subject: oneLine(rendered.subject),
    text: rendered.text,
    html: rendered.html,
    attachments: rendered.attachments.map((a) => ({ ...a })),
    messageId,
    date: opts.date ?? new Date(),
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    // Content comes from strings only: never let a value name a file or URL to embed.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const built = await composer.compile().build();

  // nodemailer leaves body line ends as given and fixes them while sending;
  // store CRLF throughout so the kept message is exactly what goes on the wire.
  const raw = built.toString('utf8').replace(/\r?\n/g, '\r\n');

  return {
    raw,
    envelope: { from: from.address, to: to.map((m) => m.address) },
    messageId,
  };
}

interface Mailbox {
  address: string;
  header: { name: string; address: string };
}

/** Exactly one mailbox per configured string, or a MailError naming the key. */
export function mailbox(value: string, key: string): Mailbox {
  if (/[\r\n]/.test(value)) throw addressError(key, 'contains a line break');

  const parsed = addressparser(value, { flatten: true });
  const first = parsed[0];
  if (parsed.length !== 1 || !first) throw addressError(key, 'must hold exactly one address');
  if (!ADDR_SPEC.test(first.address)) throw addressError(key, 'is not an email address');

  return { address: first.address, header: { name: oneLine(first.name), address: first.address } };
}

function addressError(key: string, problem: string): MailError {
  return new MailError('MAIL_ADDRESS', `${key} ${problem}`, {
    exitCode: EXIT.usage,
    hint: 'Give plain addresses such as soc@example.com, one per entry.',
  });
}

function checkMessageId(id: string): string {
  if (!/^<[^<>\s]+@[^<>\s]+>$/.test(id)) {
    throw new MailError('MAIL_MESSAGE_ID', `invalid Message-ID ${JSON.stringify(id)}`);
  }
  return id;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1) || 'illumio-monitor.invalid';
}

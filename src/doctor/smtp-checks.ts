/**
 * Doctor, mail part: TCP connect, greeting, EHLO, STARTTLS (when offered or
 * required) and AUTH (when a user is set) against the configured relay,
 * through nodemailer's own SMTP connection, so the checks see what a real
 * delivery sees. No message is ever sent: the session ends after AUTH.
 *
 * nodemailer reports a failed session as one error; which step failed is
 * read from its transaction log (server replies only; our commands, and so
 * the AUTH exchange, are not kept).
 *
 * The password follows delivery's rule (needsTls in alert/transport.ts):
 * to a non-loopback relay it goes only inside TLS, so a relay without
 * STARTTLS makes smtp-auth FAIL without ever sending it.
 */
import { readFile } from 'node:fs/promises';
import { format } from 'node:util';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { errorMessage } from '../errors.js';
import { isLoopbackHost, needsTls, sendsPasswordInClear } from '../alert/transport.js';
import type { ResolvedSmtp } from '../types.js';
import { fail, pass, skip, warn, type CheckResult } from './check.js';
import { tcpCheck } from './network.js';

const TLS_HINT = 'set email.smtp.caFile to the CA that signed the relay certificate, or email.smtp.starttls to "off" for a loopback relay without TLS';
const NO_TLS_HINT = "set email.smtp.starttls to 'off' to allow it, or use a relay with TLS";

type SessionError = Error & { code?: string; command?: string; responseCode?: number };

interface Session {
  conn: SMTPConnection;
  /** The relay's replies in order, one entry per reply. */
  replies: string[];
}

export async function smtpChecks(smtp: ResolvedSmtp): Promise<CheckResult[]> {
  const tcp = await tcpCheck('smtp-connect', { host: smtp.host, port: smtp.port }, smtp.connectionTimeoutMs,
    'check email.smtp.host and port, and that the relay (e.g. Postfix) is running');
  if (tcp.status === 'fail') return [tcp];

  let session: Session;
  try {
    session = await openSession(smtp);
  } catch (err) {
    // Only the CA file is read before connecting.
    return [tcp, fail('smtp-greeting', `cannot read email.smtp.caFile ${smtp.caFile}: ${errorMessage(err)}`, 'point email.smtp.caFile at the PEM file of the CA that signed the relay certificate'),
      ...skipped(['smtp-ehlo', 'smtp-starttls', 'smtp-auth'], 'smtp-greeting')];
  }
  const err = await connect(session.conn);
  const checks = [tcp, ...handshakeChecks(smtp, session, err)];
  if (!err) checks.push(await authCheck(smtp, session.conn));

  session.conn.quit();
  session.conn.close();
  return checks;
}

async function openSession(smtp: ResolvedSmtp): Promise<Session> {
  const replies: string[] = [];
  const keep = (entry: { tnx?: string } | undefined, message: unknown, ...args: unknown[]) => {
    if (entry?.tnx === 'server') replies.push(format(message, ...args));
  };
  const logger = { trace: keep, debug: keep, info: keep, warn: keep, error: keep, fatal: keep };

  const conn = new SMTPConnection({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ignoreTLS: smtp.starttls === 'off',
    requireTLS: needsTls(smtp),
    tls: { ca: smtp.caFile ? await readFile(smtp.caFile, 'utf8') : undefined, rejectUnauthorized: smtp.verifyTls },
    name: smtp.ehloName,
    connectionTimeout: smtp.connectionTimeoutMs,
    greetingTimeout: smtp.greetingTimeoutMs,
    socketTimeout: smtp.socketTimeoutMs,
    transactionLog: true,
    logger: logger as unknown as SMTPConnection.Options['logger'],
  });
  conn.on('error', () => undefined); // reported through connect()'s callback
  return { conn, replies };
}

/** nodemailer calls back only on success; a failure arrives as an 'error' event (or a hang-up as 'end'). */
function connect(conn: SMTPConnection): Promise<SessionError | undefined> {
  return new Promise((resolve) => {
    conn.once('error', (err: Error) => resolve(err));
    conn.once('end', () => resolve(new Error('the relay closed the connection')));
    conn.connect(() => resolve(undefined));
  });
}

/** Greeting, EHLO and STARTTLS lines from the replies seen and the error, if any. */
function handshakeChecks(smtp: ResolvedSmtp, s: Session, err: SessionError | undefined): CheckResult[] {
  const greeting = s.replies[0];
  const ehlo = s.replies.find((r, i) => i > 0 && /^250[ -]/.test(r));
  const why = err ? errorMessage(err).replace(/\s+/g, ' ') : '';
  const tlsError = err !== undefined && (err.code === 'ETLS' || err.command === 'STARTTLS' || /certificate|ssl|tls/i.test(why));

  if (!greeting?.startsWith('220')) {
    const detail = greeting ? `relay greeted with: ${greeting}` : `no greeting from ${smtp.host}:${smtp.port}: ${why || 'none'}`;
    return [fail('smtp-greeting', detail, tlsError ? TLS_HINT : 'check that email.smtp.port is an SMTP port and the relay accepts this host'), ...skipped(['smtp-ehlo', 'smtp-starttls', 'smtp-auth'], 'smtp-greeting')];
  }
  const checks = [pass('smtp-greeting', firstLine(greeting))];

  if (!ehlo) {
    checks.push(fail('smtp-ehlo', `EHLO refused: ${why || s.replies.at(-1) || 'no reply'}`, 'set email.smtp.ehloName to a name the relay accepts'));
    return [...checks, ...skipped(['smtp-starttls', 'smtp-auth'], 'smtp-ehlo')];
  }
  const offers = `STARTTLS ${/[ -]STARTTLS\b/i.test(ehlo) ? 'offered' : 'not offered'}; ${authMechanisms(s.replies)}`;
  checks.push(pass('smtp-ehlo', `EHLO accepted; ${offers}`));

  // STARTTLS was required (by the config or for the password) and the relay refused it with a reply.
  if (err?.command === 'STARTTLS' && err.responseCode) return [...checks, ...noStarttls(smtp, why)];

  if (err) {
    const detail = tlsError ? `STARTTLS failed: ${why}` : `session failed after EHLO: ${why}`;
    checks.push(fail('smtp-starttls', detail, tlsError ? TLS_HINT : 'check the relay log for the reason'));
    return [...checks, ...skipped(['smtp-auth'], 'smtp-starttls')];
  }
  checks.push(starttlsCheck(smtp, s.conn));
  return checks;
}

function starttlsCheck(smtp: ResolvedSmtp, conn: SMTPConnection): CheckResult {
  if (smtp.secure) return pass('smtp-starttls', 'not needed: implicit TLS (email.smtp.secure: true)');
  if (conn.secure) return pass('smtp-starttls', 'upgraded to TLS; the certificate verified');
  if (smtp.starttls === 'off') return skip('smtp-starttls', 'not used (email.smtp.starttls: off)');
  if (isLoopbackHost(smtp.host)) return pass('smtp-starttls', 'not offered; the relay is on loopback, so mail does not cross the network here');
  return warn('smtp-starttls', `${smtp.host} does not offer STARTTLS: mail travels unencrypted`, 'enable STARTTLS on the relay, or use email.smtp.secure with port 465');
}

/** The relay answered STARTTLS with a refusal: no TLS, so no login either. */
function noStarttls(smtp: ResolvedSmtp, why: string): CheckResult[] {
  const starttls = fail('smtp-starttls', `${smtp.host} offers no STARTTLS (${why})`, 'enable STARTTLS on the relay, or use email.smtp.secure with port 465');
  if (!smtp.user) return [starttls, skip('smtp-auth', 'no email.smtp.user: the relay is used without login')];
  return [starttls, fail('smtp-auth', `not attempted: the relay offers no STARTTLS; refusing to send the password of ${smtp.user} in clear text`, NO_TLS_HINT)];
}

async function authCheck(smtp: ResolvedSmtp, conn: SMTPConnection): Promise<CheckResult> {
  if (!smtp.user) return skip('smtp-auth', 'no email.smtp.user: the relay is used without login');

  const err = await new Promise<Error | undefined>((resolve) => {
    conn.login({ user: smtp.user!, pass: smtp.password ?? '' }, (e) => resolve(e ?? undefined));
  });
  if (!err && sendsPasswordInClear(smtp)) {
    return warn('smtp-auth', `user ${smtp.user} accepted, but the password crossed the network in clear text (email.smtp.starttls: off)`, 'use a relay with TLS and set email.smtp.starttls to auto');
  }
  if (!err) return pass('smtp-auth', `user ${smtp.user} accepted`);
  return fail('smtp-auth', `relay refused the login of user ${smtp.user}: ${errorMessage(err).replace(/\s+/g, ' ')}`,
    'check email.smtp.user and the password (email.smtp.passwordFile or ILLUMIO_SMTP_PASSWORD)');
}

/** `AUTH PLAIN LOGIN` from the last EHLO reply (after STARTTLS, the one that counts). */
function authMechanisms(replies: string[]): string {
  const ehlos = replies.filter((r) => /^250[ -]/.test(r) && /\n/.test(r));
  const last = ehlos.at(-1) ?? '';
  const m = /^250[ -]AUTH[ =](.*)$/im.exec(last);
  return m?.[1] ? `AUTH ${m[1].trim()}` : 'no AUTH offered';
}

function firstLine(reply: string): string {
  return reply.split(/\r?\n/)[0]!.trim();
}

function skipped(ids: string[], because: string): CheckResult[] {
  return ids.map((id) => skip(id, `skipped: ${because} failed`));
}

/**
 * How the mail code talks to the relay: nodemailer's transport options, and
 * the one rule about the SMTP password that delivery and `doctor` share. A
 * password may cross the network only inside TLS: with a user set, a
 * non-loopback relay and no implicit TLS, STARTTLS is required unless the
 * config opts out with `starttls: 'off'` (then a warning says what happens).
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { EXIT, MailError, errorMessage } from '../errors.js';
import type { Logger } from '../output.js';
import type { ResolvedSmtp } from '../types.js';

/** localhost, 127.0.0.0/8 and ::1 (also written [::1] or ::ffff:127.x.y.z): traffic never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 0) return false;
  return ipaddr.process(h).range() === 'loopback';
}

/** The password would cross the network: a user is set, the relay is not loopback, and TLS is not implicit. */
function passwordCrossesNetwork(smtp: ResolvedSmtp): boolean {
  return Boolean(smtp.user) && !smtp.secure && !isLoopbackHost(smtp.host);
}

/** STARTTLS must succeed before anything else: asked for, or needed to protect the password. */
export function needsTls(smtp: ResolvedSmtp): boolean {
  if (smtp.secure || smtp.starttls === 'off') return false;
  return smtp.starttls === 'required' || passwordCrossesNetwork(smtp);
}

/** The config explicitly allows the password in clear text to a remote relay (`starttls: 'off'`). */
export function sendsPasswordInClear(smtp: ResolvedSmtp): boolean {
  return smtp.starttls === 'off' && passwordCrossesNetwork(smtp);
}

/** The relay would not start TLS while the password needs it. */
export function noTlsForPassword(smtp: ResolvedSmtp): MailError {
  return new MailError(
    'MAIL_TLS_REQUIRED',
    `the relay ${smtp.host}:${smtp.port} offers no STARTTLS; refusing to send the password of ${smtp.user ?? '(no user)'} in clear text`,
    { hint: "Set email.smtp.starttls to 'off' to allow it, or use a relay with TLS." },
  );
}

const warnedLogs = new WeakSet<Logger>();

/** Say once per logger (one run, one CLI call) that the password crosses the network unencrypted. */
export function warnClearTextPassword(smtp: ResolvedSmtp, log: Logger): void {
  if (!sendsPasswordInClear(smtp) || warnedLogs.has(log)) return;
  warnedLogs.add(log);
  log.warn(
    `email.smtp.starttls is 'off': the password of ${smtp.user ?? ''} crosses the network to ${smtp.host} in clear text; use a relay with TLS`,
  );
}

export async function transportOptions(smtp: ResolvedSmtp): Promise<SMTPTransport.Options> {
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ignoreTLS: smtp.starttls === 'off',
    requireTLS: needsTls(smtp),
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

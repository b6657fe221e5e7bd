/**
 * A smarthost on 127.0.0.1 for the setup-postfix integration test: it
 * demands AUTH PLAIN or LOGIN before accepting mail, offers no STARTTLS
 * (so Postfix with `smtp_tls_security_level = may` logs in over plain
 * text on loopback), and records who logged in and every message.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SmarthostMessage {
  /** The SASL user the sending session authenticated as. */
  user: string | undefined;
  from: string | undefined;
  to: string[];
  raw: string;
}

export interface Smarthost {
  port: number;
  messages: SmarthostMessage[];
  /** Every AUTH attempt: user and whether it was accepted. */
  logins: { user: string; ok: boolean }[];
  /** Resolves with the first message for which `match` holds (or rejects after timeoutMs). */
  waitFor(match: (m: SmarthostMessage) => boolean, timeoutMs: number): Promise<SmarthostMessage>;
  close(): Promise<void>;
}

export async function startSmtpSmarthost(users: Record<string, string>, host = '127.0.0.1'): Promise<Smarthost> {
  const messages: SmarthostMessage[] = [];
  const logins: Smarthost['logins'] = [];
  const waiters: (() => void)[] = [];

  const server = new SMTPServer({
    // Postfix refuses a relay that greets with its own name ("loops back to myself").
    name: 'smarthost.test',
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      const ok = auth.username !== undefined && users[auth.username] === auth.password;
      logins.push({ user: auth.username ?? '', ok });
      if (ok) callback(null, { user: auth.username });
      else callback(new Error('535 5.7.8 authentication failed'));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString()));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined;
        messages.push({ user: session.user as string | undefined, from, to: session.envelope.rcptTo.map((r) => r.address), raw });
        waiters.splice(0).forEach((wake) => wake());
        callback();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });

  const waitFor = (match: (m: SmarthostMessage) => boolean, timeoutMs: number) =>
    new Promise<SmarthostMessage>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`smarthost: no matching message within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        const found = messages.find(match);
        if (found) {
          clearTimeout(deadline);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });

  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    logins,
    waitFor,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

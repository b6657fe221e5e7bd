/**
 * A real SMTP server on loopback that keeps every message it accepts, for
 * tests and the demo. Faults (rejected DATA, dropped connections, a greeting
 * that never comes, refused recipients) are switched on per instance so the
 * mail code is tested against real sockets, never a stub.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

export type FailMode = 'reject-data' | 'drop-connection' | 'slow-greeting' | 'none';

export interface CaptureOptions {
  /** Require AUTH PLAIN/LOGIN with exactly these credentials. */
  auth?: { user: string; pass: string };
  /** Implicit TLS from the first byte (self-signed certificate). */
  secure?: boolean;
  /** Offer STARTTLS (self-signed certificate); off by default, like a loopback Postfix. */
  starttls?: boolean;
  /** true refuses every recipient; a list refuses only those addresses (550, permanent). */
  rejectRcpt?: boolean | string[];
  /** Address -> RCPT reply code (e.g. 450 temporary, 550 permanent); wins over rejectRcpt. */
  rcptCodes?: Record<string, number>;
  failMode?: FailMode;
  /** How long 'slow-greeting' holds the 220 back (default 10 s). */
  greetingDelayMs?: number;
  /** Write each message as `<n>.eml` and its HTML part as `<n>.html`. */
  saveDir?: string;
}

export interface CapturedMessage {
  envelope: { from: string; to: string[] };
  /** The message exactly as received after DATA, decoded as UTF-8. */
  raw: string;
  /** The same octets, for line-length checks. */
  bytes: Buffer;
  parsed: ParsedMail;
  authUser?: string;
  /** The name the client gave in EHLO/HELO. */
  ehlo: string;
  /** Whether the session ran over TLS (implicit or STARTTLS). */
  tls: boolean;
}

export interface SmtpCapture {
  port: number;
  messages: CapturedMessage[];
  /** PEM of the self-signed certificate when secure or starttls is on. */
  certPem: string | undefined;
  /** Every AUTH the server saw (accepted or not): whether a password went out, and over TLS or not. */
  authAttempts: { user: string; tls: boolean }[];
  setFailMode(mode: FailMode): void;
  /** Replace the per-address RCPT reply codes (an empty object accepts everyone not in rejectRcpt). */
  setRcptCodes(codes: Record<string, number>): void;
  waitFor(count: number, timeoutMs: number): Promise<CapturedMessage[]>;
  close(): Promise<void>;
}

export async function startSmtpCapture(opts: CaptureOptions = {}): Promise<SmtpCapture> {
  const messages: CapturedMessage[] = [];
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  let failMode: FailMode = opts.failMode ?? 'none';
  let rcptCodes: Record<string, number> = { ...opts.rcptCodes };
  const authAttempts: SmtpCapture['authAttempts'] = [];
  const tls = opts.secure || opts.starttls ? await makeCert() : undefined;

  let received = 0;

  // Saved before it is listed, so whoever waits for a message finds its files.
  const onMessage = async (msg: CapturedMessage) => {
    const n = ++received;
    if (opts.saveDir) await saveMessage(opts.saveDir, n, msg);
    messages.push(msg);
    for (const wake of waiters) wake();
  };

  const server = new SMTPServer({
    ...serverOptions(opts, tls),
    onConnect(_session, callback) {
      if (failMode !== 'slow-greeting') return callback();
      const timer = setTimeout(() => callback(), opts.greetingDelayMs ?? 10_000);
      timers.add(timer);
    },
    onAuth(auth, session, callback) {
      authAttempts.push({ user: auth.username ?? '', tls: Boolean(session.secure) });
      const good = opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass;
      if (!good) return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      const code = rcptCodes[address.address] ?? (refused(opts.rejectRcpt, address.address) ? 550 : 250);
      if (code < 400) return callback();
      const text = code < 500 ? `Mailbox ${address.address} busy, try again later` : `Mailbox ${address.address} unavailable`;
      callback(Object.assign(new Error(text), { responseCode: code }));
    },
    onData(stream, session, callback) {
      receive(stream, session, failMode).then(
        async (msg) => {
          await onMessage(msg);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });

  // 'drop-connection' hangs up on the client before the greeting.
  server.server.prependListener('connection', (socket: Socket) => {
    if (failMode === 'drop-connection') socket.destroy();
  });
  server.on('error', () => undefined); // writes to dropped sockets are expected

  const port = await listen(server);

  return {
    port,
    messages,
    certPem: tls?.cert,
    authAttempts,
    setFailMode: (mode) => (failMode = mode),
    setRcptCodes: (codes) => (rcptCodes = { ...codes }),
    waitFor: (count, timeoutMs) => waitFor(messages, waiters, count, timeoutMs),
    close: () => {
      for (const t of timers) clearTimeout(t);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serverOptions(opts: CaptureOptions, tls: { key: string; cert: string } | undefined): SMTPServerOptions {
  const disabled = [];
  if (!opts.starttls) disabled.push('STARTTLS');
  if (!opts.auth) disabled.push('AUTH');

  return {
    secure: Boolean(opts.secure),
    key: tls?.key,
    cert: tls?.cert,
    disabledCommands: disabled,
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    logger: false,
    size: 50 * 1024 * 1024,
    closeTimeout: 200,
  };
}

async function receive(
  stream: NodeJS.ReadableStream,
  session: SMTPServerSession,
  failMode: FailMode,
): Promise<CapturedMessage> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));

  if (failMode === 'reject-data') {
    throw Object.assign(new Error('Message rejected by policy (test)'), { responseCode: 554 });
  }

  const bytes = Buffer.concat(chunks);
  const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  return {
    envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) },
    raw: bytes.toString('utf8'),
    bytes,
    parsed: await simpleParser(bytes),
    authUser: typeof session.user === 'string' ? session.user : undefined,
    ehlo: session.hostNameAppearsAs,
    tls: Boolean(session.secure),
  };
}

function refused(rule: CaptureOptions['rejectRcpt'], address: string): boolean {
  if (Array.isArray(rule)) return rule.includes(address);
  return Boolean(rule);
}

function waitFor(
  messages: CapturedMessage[],
  waiters: Set<() => void>,
  count: number,
  timeoutMs: number,
): Promise<CapturedMessage[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (messages.length < count) return;
      done();
      resolve(messages.slice());
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`SMTP capture: ${messages.length} of ${count} messages after ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      waiters.delete(check);
    };
    waiters.add(check);
    check();
  });
}

async function saveMessage(dir: string, n: number, msg: CapturedMessage): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${n}.eml`), msg.bytes);
  if (typeof msg.parsed.html === 'string') await writeFile(path.join(dir, `${n}.html`), msg.parsed.html);
}

async function makeCert(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

function listen(server: SMTPServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('SMTP capture: no port'));
    });
  });
}

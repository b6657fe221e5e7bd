/**
 * A local Illumio PCE for tests, the demo and manual trials: HTTP or HTTPS
 * (self-signed certificate made at start) on 127.0.0.1, Basic auth, org
 * scoping, capped newest-first events, async jobs, Explorer async queries,
 * health, a 500/min rate limit, and scripted faults. Behaviour follows
 * shared/docs/pce-api.md; the knobs are the SimStore fields.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { pceError, readBody, sendReply, type Reply, type SimRequest } from './pce-sim-http.js';
import { FaultQueue, RateLimiter, type PceFault } from './pce-sim-faults.js';
import { routeRequest } from './pce-sim-routes.js';
import { SimStore, type LoggedRequest } from './pce-sim-store.js';

export type { PceFault } from './pce-sim-faults.js';
export type { LoggedRequest, QueryOutcome, SimEventInput } from './pce-sim-store.js';

export interface PceSimulatorOptions {
  apiKey?: string;
  apiSecret?: string;
  orgId?: number;
  tls?: boolean;
  /** Serve a certificate that expired yesterday (TLS error tests). */
  expiredCert?: boolean;
  /** The PCE's clock (events, Date header, rate limit). Default Date.now. */
  now?: () => number;
  port?: number;
  fqdn?: string;
}

export class PceSimulator extends SimStore {
  url = '';
  caPem: string | undefined;
  readonly faults = new FaultQueue();
  readonly rateLimit: RateLimiter;
  server: http.Server | undefined;

  constructor(
    readonly apiKey: string,
    readonly apiSecret: string,
    readonly orgId: number,
    now: () => number,
    fqdn: string,
  ) {
    super(now, fqdn);
    this.rateLimit = new RateLimiter(500, now);
  }

  addFault(fault: PceFault): void {
    this.faults.add(fault);
  }

  /** Requests whose path matches, e.g. to assert what the client sent. */
  requestsTo(path: RegExp | string, method?: string): LoggedRequest[] {
    return this.requests.filter(
      (r) => (!method || r.method === method) && (typeof path === 'string' ? r.path.includes(path) : path.test(r.path)),
    );
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

export async function startPceSimulator(opts: PceSimulatorOptions = {}): Promise<PceSimulator> {
  const sim = new PceSimulator(
    opts.apiKey ?? `api_${randomBytes(9).toString('hex').slice(0, 17)}`,
    opts.apiSecret ?? randomBytes(32).toString('hex'),
    opts.orgId ?? 1,
    opts.now ?? Date.now,
    opts.fqdn ?? 'pce.example.com',
  );

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(sim, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendReply(req, res, pceError(500, 'internal_server_error', String(err)), new Date(sim.now()));
    });
  };

  let server: http.Server;
  if (opts.tls) {
    const pems = await makeCertificate(opts.expiredCert ?? false);
    sim.caPem = pems.cert;
    server = https.createServer({ key: pems.private, cert: pems.cert }, handler);
  } else {
    server = http.createServer(handler);
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  sim.server = server;
  sim.url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return sim;
}

async function handle(sim: PceSimulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const text = await readBody(req);
  const body = parseBody(text, req.headers['content-type']);

  const logged: LoggedRequest = {
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: pickHeaders(req),
    body,
  };
  sim.requests.push(logged);

  const fault = sim.faults.take(method, url.pathname);
  if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));

  const simReq: SimRequest = { method, path: url.pathname, query: url.searchParams, headers: req.headers, body };
  let reply: Reply | undefined;
  if (!fault || fault.afterHandling || fault.status === undefined) reply = routeRequest(sim, simReq);

  if (fault?.dropConnection) {
    logged.status = 0;
    req.socket.destroy();
    return;
  }
  if (fault?.status !== undefined) reply = faultReply(fault);

  const final = reply ?? pceError(500, 'internal_server_error', 'no reply');
  logged.status = final.status;
  logged.encoding = sendReply(req, res, final, new Date(sim.now()))['Content-Encoding'];
}

function faultReply(fault: PceFault): Reply {
  const status = fault.status ?? 500;
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;

  if (fault.body !== undefined) {
    const looksJson = /^\s*[[{]/.test(fault.body);
    headers['Content-Type'] = looksJson ? 'application/json' : 'text/html';
    return { status, headers, body: fault.body };
  }
  return { ...pceError(status, 'simulated_fault', `Simulated HTTP ${status}`), headers };
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  if (!/json/i.test(contentType ?? '')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function pickHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['accept', 'accept-encoding', 'content-type', 'prefer', 'user-agent']) {
    const v = req.headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

async function makeCertificate(expired: boolean) {
  const day = 86_400_000;
  const notBeforeDate = new Date(Date.now() - (expired ? 30 * day : day));
  const notAfterDate = new Date(Date.now() + (expired ? -day : 365 * day));

  return generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
}

export { generatePceData, type PceData, type PceDataOptions } from './pce-data.js';

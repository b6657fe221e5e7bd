/**
 * The one way the monitor talks to the PCE: got with its own retry off,
 * Basic auth built here (never user:pass in a URL), TLS with pce.caFile or
 * the system CAs, our retry loop on the injected clock, and every failure a
 * one-line PceError with no secret in it.
 */
import http from 'node:http';
import https from 'node:https';
import got from 'got';
import type { Clock } from '../context.js';
import { PceError } from '../errors.js';
import type { Logger } from '../output.js';
import type { HealthCluster, ResolvedConfig } from '../types.js';
import { httpError, isRetryableStatus, networkError, RetryablePceError, type ErrorContext } from './pce-errors.js';
import { apiPath, headerValue, originOf, readCaFile, stringValues } from './client-helpers.js';
import { parseRetryAfter, withRetry, type RetryPolicy } from './retry.js';
import { openStream, type StreamRequest } from './client-stream.js';

export { apiPath } from './client-helpers.js';

export interface PceClientOptions {
  clock: Clock;
  log: Logger;
  retryMaxAttempts: number;
  retryBudgetMs: number;
}

export interface RequestOptions {
  query?: Record<string, string | number>;
  /** Sent as a JSON body with Content-Type: application/json. */
  json?: unknown;
  headers?: Record<string, string>;
  /**
   * May the request be sent again after a 5xx, a reset or a timeout? Default
   * true except for POST, which may have created something already. A 429
   * is always retried: the PCE did not act on the request.
   */
  idempotent?: boolean;
}

export interface PceResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A response whose body is read as it arrives (see PceClient.getStream). */
export interface PceStreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, decompressed; a broken connection throws a PceError while iterating. */
  chunks: AsyncIterable<Buffer>;
}

export interface ProductVersion {
  version?: string;
  build?: number;
  long_display?: string;
  short_display?: string;
  [key: string]: unknown;
}

export class PceClient {
  readonly clock: Clock;
  readonly log: Logger;
  readonly orgId: number;
  /** scheme://host:port of the PCE, safe to print. */
  readonly origin: string;
  private readonly retry: RetryPolicy;
  private readonly authorization: string;
  private readonly secrets: string[];
  private readonly agent: { http: http.Agent; https: https.Agent };
  /** PEM from pce.caFile; undefined = the system CAs. */
  private readonly ca: string | undefined;

  constructor(
    private readonly pce: ResolvedConfig['pce'],
    opts: PceClientOptions,
  ) {
    this.clock = opts.clock;
    this.log = opts.log;
    this.orgId = pce.orgId;
    this.origin = originOf(pce.url);
    this.retry = { maxRetries: opts.retryMaxAttempts, budgetMs: opts.retryBudgetMs };

    const token = Buffer.from(`${pce.apiKey}:${pce.apiSecret}`, 'utf8').toString('base64');
    this.authorization = `Basic ${token}`;
    this.secrets = [pce.apiSecret, token, encodeURIComponent(pce.apiSecret)];
    this.ca = this.trustAnchors();
    this.agent = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  }

  /** `/orgs/{org}` + rest. */
  orgPath(rest: string): string {
    return `/orgs/${this.orgId}${rest}`;
  }

  get(path: string, opts: RequestOptions = {}): Promise<PceResponse> {
    return this.request('GET', path, opts);
  }

  post(path: string, json: unknown, opts: RequestOptions = {}): Promise<PceResponse> {
    return this.request('POST', path, { ...opts, json });
  }

  put(path: string, json: unknown, opts: RequestOptions = {}): Promise<PceResponse> {
    return this.request('PUT', path, { ...opts, json });
  }

  delete(path: string, opts: RequestOptions = {}): Promise<PceResponse> {
    return this.request('DELETE', path, opts);
  }

  /**
   * GET a body too big to hold: retried like get() until the response
   * headers arrive, never once body bytes have been handed over (the caller
   * has acted on them). A stall longer than pce.timeoutMs between bytes
   * fails; the whole download may take longer.
   */
  getStream(path: string, opts: RequestOptions = {}): Promise<PceStreamResponse> {
    return this.withRetry(`GET ${apiPath(path)}`, () => openStream(this.streamRequest(path, opts)));
  }

  /** GET and parse a JSON body. */
  async getJson<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.parseJson<T>(await this.get(path, opts), `GET ${apiPath(path)}`);
  }

  health(): Promise<HealthCluster[]> {
    return this.getJson<HealthCluster[]>('/health').then((h) => {
      if (!Array.isArray(h)) throw this.badResponse('GET /api/v2/health', 'not a list of clusters');
      return h;
    });
  }

  productVersion(): Promise<ProductVersion> {
    return this.getJson<ProductVersion>('/product_version');
  }

  /** A request with our retries; see RequestOptions.idempotent. */
  request(method: string, path: string, opts: RequestOptions = {}): Promise<PceResponse> {
    const idempotent = opts.idempotent ?? method !== 'POST';
    return this.withRetry(`${method} ${apiPath(path)}`, async () => {
      try {
        return await this.sendOnce(method, path, opts);
      } catch (err) {
        // A non-idempotent request is retried only when the PCE surely did not act on it.
        if (err instanceof RetryablePceError && !idempotent && err.status !== 429) {
          throw new PceError(err.code, err.message, { status: err.status, hint: err.hint });
        }
        throw err;
      }
    });
  }

  /** Our retry loop around any attempt (callers build safe re-sends with it). */
  withRetry<T>(what: string, attempt: (n: number) => Promise<T>): Promise<T> {
    return withRetry(what, this.retry, { clock: this.clock, log: this.log }, attempt);
  }

  /** One attempt, no retries. Status >= 400 and network failures throw PceError. */
  async sendOnce(method: string, path: string, opts: RequestOptions = {}): Promise<PceResponse> {
    const pathname = apiPath(path);
    const ctx = this.errorContext(`${method} ${pathname}`);
    const started = this.clock.now();

    let res;
    try {
      res = await got(`${this.origin}${pathname}`, {
        method: method as 'GET',
        searchParams: opts.query ? stringValues(opts.query) : undefined,
        headers: this.headers(opts),
        body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
        agent: this.agent,
        https: this.tlsOptions(),
        timeout: { request: this.pce.timeoutMs },
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
        decompress: true,
        responseType: 'buffer',
      });
    } catch (err) {
      throw networkError(err, ctx);
    }

    this.log.debug(`${method} ${pathname} -> ${res.statusCode} (${this.clock.now() - started} ms)`);
    if (res.statusCode < 400) return { status: res.statusCode, headers: res.headers, body: res.body };
    throw this.statusError(res.statusCode, res.headers, res.body, ctx);
  }

  private statusError(status: number, headers: PceResponse['headers'], body: Buffer, ctx: ErrorContext): PceError {
    const error = httpError(status, body, ctx);
    if (!isRetryableStatus(status)) return error;
    const date = typeof headers.date === 'string' ? headers.date : undefined;
    return new RetryablePceError(error, parseRetryAfter(headerValue(headers['retry-after']), date, this.clock.now()));
  }

  private streamRequest(path: string, opts: RequestOptions): StreamRequest {
    const pathname = apiPath(path);
    const t = this.pce.timeoutMs;
    return {
      url: `${this.origin}${pathname}`,
      ctx: this.errorContext(`GET ${pathname}`),
      log: this.log,
      statusError: (status, headers, body, ctx) => this.statusError(status, headers, body, ctx),
      options: {
        method: 'GET',
        searchParams: opts.query ? stringValues(opts.query) : undefined,
        headers: this.headers(opts),
        agent: this.agent,
        https: this.tlsOptions(),
        // No overall limit: a big download may take minutes; a silent socket may not.
        timeout: { connect: t, secureConnect: t, response: t, socket: t },
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
        decompress: true,
      },
    };
  }

  parseJson<T>(res: PceResponse, what: string): T {
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch {
      throw this.badResponse(what, `not JSON (HTTP ${res.status}, ${res.body.length} bytes)`);
    }
  }

  badResponse(what: string, detail: string): PceError {
    return new PceError('PCE_BAD_RESPONSE', `PCE answered ${what} with ${detail}`, {
      hint: 'check that pce.url points at the PCE itself, not a proxy or login page',
    });
  }

  /** Free the kept-alive connections. */
  close(): void {
    this.agent.http.destroy();
    this.agent.https.destroy();
  }

  private headers(opts: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: this.authorization,
      'User-Agent': 'illumio-monitor',
    };
    if (opts.json !== undefined) headers['Content-Type'] = 'application/json';
    return { ...headers, ...opts.headers };
  }

  private tlsOptions(): { certificateAuthority?: string; rejectUnauthorized: boolean } {
    return { certificateAuthority: this.ca, rejectUnauthorized: this.pce.verifyTls };
  }

  /** Warned once per client: verification off is allowed but never quiet. */
  private trustAnchors(): string | undefined {
    if (!this.pce.verifyTls) {
      if (this.origin.startsWith('https:')) {
        this.log.warn(`TLS verification of ${this.origin} is off (pce.verifyTls: false); set pce.caFile to the PCE's CA certificate instead`);
      }
      return undefined;
    }
    return this.pce.caFile ? readCaFile(this.pce.caFile) : undefined;
  }

  private errorContext(what: string): ErrorContext {
    return {
      what,
      origin: this.origin,
      apiKey: this.pce.apiKey,
      orgId: this.orgId,
      timeoutMs: this.pce.timeoutMs,
      secrets: this.secrets,
    };
  }
}

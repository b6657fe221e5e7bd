/**
 * Turning what went wrong talking to the PCE into one-line PceErrors with
 * a stable code and a hint. Network and TLS failures carry no status (the
 * PCE never answered); HTTP failures carry the status.
 */
import { PceError } from '../errors.js';
import { scrub } from '../output.js';

/** A failure worth another try: 429, 502/503/504, a reset or a timeout. */
export class RetryablePceError extends PceError {
  override name = 'RetryablePceError';
  /** What the PCE asked for with Retry-After, if anything. */
  readonly retryAfterMs: number | undefined;

  constructor(error: PceError, retryAfterMs?: number) {
    super(error.code, error.message, { status: error.status, hint: error.hint });
    this.retryAfterMs = retryAfterMs;
  }
}

export interface ErrorContext {
  /** `GET /api/v2/orgs/1/events`: what was asked, never with credentials. */
  what: string;
  origin: string;
  apiKey: string;
  orgId: number;
  timeoutMs: number;
  secrets: readonly string[];
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** An error for an HTTP status >= 400 (retryable ones wrapped as such by the caller). */
export function httpError(status: number, body: Buffer, ctx: ErrorContext): PceError {
  const detail = bodyMessage(body, ctx.secrets);
  const suffix = detail ? `: ${detail}` : '';
  const at = `(HTTP ${status} on ${ctx.what})`;

  switch (status) {
    case 401:
      return new PceError('PCE_AUTH', `PCE rejected the API key ${ctx.apiKey} ${at}${suffix}`, {
        status,
        hint: 'check pce.apiKey and the secret (pce.apiSecretFile, pce.apiSecret or ILLUMIO_API_SECRET)',
      });
    case 403:
      return new PceError('PCE_FORBIDDEN', `PCE refused access to org ${ctx.orgId} ${at}${suffix}`, {
        status,
        hint: 'wrong org id or the key lacks read access: check pce.orgId and the API key role',
      });
    case 404:
      return new PceError('PCE_NOT_FOUND', `PCE has nothing at ${ctx.what} (HTTP 404)${suffix}`, {
        status,
        hint: 'check pce.url (only https://host:port, no path) and pce.orgId',
      });
    case 429:
      return new PceError('PCE_RATE_LIMITED', `PCE rate limit reached ${at}${suffix}`, { status });
    default:
      return new PceError(
        status >= 500 ? 'PCE_SERVER_ERROR' : 'PCE_REJECTED',
        `PCE ${status >= 500 ? 'failed' : 'refused'} ${ctx.what} (HTTP ${status})${suffix}`,
        { status },
      );
  }
}

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

const TLS_TRUST = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);
const TLS_DATES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE']);
const CA_HINT = "set pce.caFile to the PCE's CA certificate (PEM)";

/** An error for a request that got no HTTP answer. */
export function networkError(err: unknown, ctx: ErrorContext): PceError {
  const code = errorCode(err);
  const raw = scrub(err instanceof Error ? err.message : String(err), ctx.secrets);
  const make = (c: string, message: string, hint?: string) => {
    const e = new PceError(c, message, { hint, cause: sanitizedCause(code, raw) });
    return RETRYABLE_NETWORK.has(code) ? new RetryablePceError(e) : e;
  };

  if (TLS_TRUST.has(code)) return make('PCE_TLS', `PCE certificate at ${ctx.origin} is not trusted (${code})`, CA_HINT);
  if (TLS_DATES.has(code)) {
    return make('PCE_TLS', `PCE certificate at ${ctx.origin} is outside its validity dates (${code})`,
      "renew the PCE's certificate, or check this host's clock");
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return make('PCE_TLS', `PCE certificate does not name the host in pce.url ${ctx.origin} (${code})`,
      `use the host name the certificate was issued for in pce.url, or ${CA_HINT}`);
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL')) {
    return make('PCE_TLS', `TLS handshake with ${ctx.origin} failed (${code})`,
      'check that pce.url uses the right scheme (https) and port');
  }
  if (code === 'ETIMEDOUT') {
    return make('PCE_UNREACHABLE', `PCE unreachable at ${ctx.origin}: no answer to ${ctx.what} within ${Math.round(ctx.timeoutMs / 100) / 10} s`,
      'check pce.url and the network path, or raise pce.timeoutSeconds');
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
    return make('PCE_UNREACHABLE', `PCE unreachable at ${ctx.origin} (${code})`,
      'check pce.url, DNS and that the PCE is up and reachable from this host');
  }
  if (RETRYABLE_NETWORK.has(code)) return make('PCE_CONNECTION_RESET', `connection to ${ctx.origin} broke during ${ctx.what} (${code})`);

  return make('PCE_REQUEST_FAILED', `request ${ctx.what} to ${ctx.origin} failed: ${raw}`);
}

function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const own = (err as { code?: unknown }).code;
  const cause = (err as { cause?: { code?: unknown } }).cause?.code;
  return String(typeof cause === 'string' && own === 'ERR_GOT_REQUEST_ERROR' ? cause : own ?? cause ?? '');
}

/** got's errors hold the request options (and so the Authorization header): keep only code and text. */
function sanitizedCause(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** The PCE's own words from an error body: a JSON array, an object, or text. */
export function bodyMessage(body: Buffer, secrets: readonly string[]): string {
  const text = body.toString('utf8').trim();
  if (text === '') return '';

  let message: string;
  try {
    message = fromJson(JSON.parse(text) as unknown);
  } catch {
    message = text.replace(/<[^>]*>/g, ' ');
  }
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return scrub(oneLine.length > 300 ? `${oneLine.slice(0, 297)}...` : oneLine, secrets);
}

function fromJson(value: unknown): string {
  if (Array.isArray(value)) return value.map(fromJson).filter(Boolean).join('; ');
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return String(value);

  const o = value as Record<string, unknown>;
  const text = o.message ?? o.error ?? o.token;
  return typeof text === 'string' ? text : JSON.stringify(value);
}

/**
 * Our own retry loop (got's is off): bounded attempts, a bounded total
 * wait, Retry-After honoured in both forms, sleeping on the injected clock.
 */
import type { Clock } from '../context.js';
import { PceError } from '../errors.js';
import type { Logger } from '../output.js';
import { RetryablePceError } from './pce-errors.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Total time all waits of one request may add up to. */
  budgetMs: number;
}

const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

/**
 * Run `attempt` (numbered from 1) until it succeeds or fails for good. Only
 * RetryablePceError is retried; anything else is thrown at once.
 */
export async function withRetry<T>(
  what: string,
  policy: RetryPolicy,
  deps: { clock: Clock; log: Logger },
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  let waited = 0;

  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof RetryablePceError)) throw err;

      const remaining = policy.budgetMs - waited;
      if (n > policy.maxRetries || remaining <= 0) throw exhausted(err, n, waited);
      // Asked to wait past the budget: retrying early would only be refused again.
      if (err.retryAfterMs !== undefined && err.retryAfterMs > remaining) throw exhausted(err, n, waited);

      const wait = Math.min(err.retryAfterMs ?? backoff(n), remaining);
      deps.log.debug(`${err.message}; retry ${n} of ${policy.maxRetries} for ${what} in ${seconds(wait)}`);
      await deps.clock.sleep(wait);
      waited += wait;
    }
  }
}

/** 1 s, 2 s, 4 s, ... capped at 30 s. */
export function backoff(retry: number): number {
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (retry - 1));
}

/**
 * Retry-After as delay-seconds or an HTTP date. A date is measured against
 * the PCE's own Date header when there is one, so a skewed local clock does
 * not stretch or shrink the wait.
 */
export function parseRetryAfter(value: string | undefined, serverDate: string | undefined, now: number): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;

  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;

  const server = serverDate ? Date.parse(serverDate) : Number.NaN;
  return Math.max(0, at - (Number.isNaN(server) ? now : server));
}

function exhausted(last: RetryablePceError, attempts: number, waitedMs: number): PceError {
  return new PceError(
    'PCE_RETRY_EXHAUSTED',
    `${last.message} (gave up after ${attempts} attempts and ${seconds(waitedMs)} of waiting)`,
    {
      status: last.status,
      hint: last.hint ?? 'the PCE is busy or restarting; the next run tries again (monitor.retryMaxAttempts, monitor.retryBudgetSeconds)',
    },
  );
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * The PCE's asynchronous GET collection: the same GET with
 * `Prefer: respond-async` answers 202 and a job Location; the job ends
 * `done` with a datafile href that holds the whole, uncapped JSON array.
 */
import { PceError } from '../errors.js';
import type { PceClient } from './client.js';
import { parseRetryAfter } from './retry.js';

export interface AsyncCollectionOptions {
  query: Record<string, string | number>;
  /** Give up on the job after this long (clock time). Default 10 minutes. */
  deadlineMs?: number;
  /** Called once per HTTP request made (for request counting). */
  onRequest?: () => void;
}

interface Job {
  href?: string;
  status?: string;
  result?: { href?: string } | null;
}

const FIRST_POLL_MS = 1000;
const MAX_POLL_MS = 10_000;

export async function collectAsync(client: PceClient, path: string, opts: AsyncCollectionOptions): Promise<unknown[]> {
  const count = opts.onRequest ?? (() => undefined);
  const what = `async GET ${path}`;

  count();
  const res = await client.get(path, { query: opts.query, headers: { Prefer: 'respond-async' } });
  if (res.status === 200) return asArray(client, client.parseJson(res, what), what);

  const location = header(res.headers.location);
  if (res.status !== 202 || !location) throw client.badResponse(what, `HTTP ${res.status} and no job Location`);

  const first = parseRetryAfter(header(res.headers['retry-after']), header(res.headers.date), client.clock.now());
  const datafile = await waitForJob(client, location, first ?? FIRST_POLL_MS, opts.deadlineMs ?? 600_000, count);

  count();
  return asArray(client, await client.getJson(datafile), `GET ${datafile}`);
}

async function waitForJob(
  client: PceClient,
  location: string,
  firstWait: number,
  deadlineMs: number,
  count: () => void,
): Promise<string> {
  const started = client.clock.now();
  let wait = Math.min(Math.max(firstWait, 0), MAX_POLL_MS);

  for (;;) {
    await client.clock.sleep(wait);
    count();
    const job = await client.getJson<Job>(location);

    if (job.status === 'done' && job.result?.href) return job.result.href;
    if (job.status === 'failed') {
      throw new PceError('PCE_JOB_FAILED', `PCE async job ${job.href ?? location} failed`, {
        hint: 'the PCE could not collect the records; try again, or narrow the time range',
      });
    }
    if (client.clock.now() - started >= deadlineMs) {
      throw new PceError('PCE_JOB_TIMEOUT', `PCE async job ${job.href ?? location} still ${job.status ?? 'unknown'} after ${Math.round(deadlineMs / 1000)} s`, {
        hint: 'the PCE is busy; the next run tries again',
      });
    }
    wait = Math.min(Math.max(wait, FIRST_POLL_MS) * 1.5, MAX_POLL_MS);
  }
}

function asArray(client: PceClient, value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw client.badResponse(what, 'JSON that is not a list');
  return value;
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

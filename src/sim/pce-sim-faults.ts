/**
 * Scripted trouble for the PCE simulator: a queue of faults consumed in
 * order by matching requests, and the PCE's 500-requests-a-minute limit.
 */

export interface PceFault {
  /** Only requests with this method (any when absent). */
  method?: string;
  /** A RegExp tested against the path (with `/api/v2`), or a substring of it. */
  path: RegExp | string;
  /** Status to answer with; absent with `delayMs` = a slow but normal answer. */
  status?: number;
  /** How many matching requests this fault takes (default 1). */
  times?: number;
  /** Sent as the Retry-After header (seconds or an HTTP date). */
  retryAfter?: string;
  /** Response body (default: a PCE-style JSON error array). */
  body?: string;
  /** Wait this long (real time) before answering. */
  delayMs?: number;
  /** Close the socket without answering. */
  dropConnection?: boolean;
  /**
   * Carry out the request first, then answer with the fault: the client
   * never learns that e.g. its POST created a query.
   */
  afterHandling?: boolean;
}

export class FaultQueue {
  private readonly queue: { fault: PceFault; left: number }[] = [];

  add(fault: PceFault): void {
    this.queue.push({ fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.queue.length = 0;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** The first fault that matches, consumed once. */
  take(method: string, path: string): PceFault | undefined {
    const index = this.queue.findIndex((q) => matches(q.fault, method, path));
    const entry = this.queue[index];
    if (!entry) return undefined;

    entry.left -= 1;
    if (entry.left <= 0) this.queue.splice(index, 1);
    return entry.fault;
  }
}

function matches(fault: PceFault, method: string, path: string): boolean {
  if (fault.method && fault.method.toUpperCase() !== method) return false;
  return typeof fault.path === 'string' ? path.includes(fault.path) : fault.path.test(path);
}

/** Token bucket per API key: `perMinute` tokens, refilled continuously. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    public perMinute: number,
    private readonly now: () => number,
  ) {}

  /** undefined when allowed, else the seconds until a token is free. */
  take(key: string): number | undefined {
    const t = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: t };
    const refill = ((t - bucket.at) / 60_000) * this.perMinute;
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, refill));
    bucket.at = t;
    this.buckets.set(key, bucket);

    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.perMinute));
  }
}

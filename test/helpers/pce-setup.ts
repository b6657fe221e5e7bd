/**
 * Test set-up for the PCE client: a fake clock whose sleep() advances time
 * at once and records every wait, a simulator on that clock, and a client
 * pointed at it.
 */
import assert from 'node:assert/strict';
import type { Clock } from '../../src/context.js';
import { PceError } from '../../src/errors.js';
import { memoryLogger } from '../../src/output.js';
import { PceClient } from '../../src/pce/client.js';
import { startPceSimulator, type PceSimulator, type PceSimulatorOptions } from '../../src/sim/pce-simulator.js';
import type { ResolvedConfig } from '../../src/types.js';

export interface FakeClock extends Clock {
  waits: number[];
  advance(ms: number): void;
}

/** 2025-03-04T12:00:00Z, a whole second (HTTP dates have no milliseconds). */
export const T0 = Date.UTC(2025, 2, 4, 12, 0, 0);

export function fakeClock(start = T0): FakeClock {
  let t = start;
  return {
    waits: [],
    now: () => t,
    advance(ms) {
      t += ms;
    },
    async sleep(ms) {
      this.waits.push(ms);
      t += ms;
    },
  };
}

export interface PceTestBed {
  sim: PceSimulator;
  clock: FakeClock;
  log: ReturnType<typeof memoryLogger>;
  client(overrides?: Partial<ResolvedConfig['pce']>, retry?: { retryMaxAttempts?: number; retryBudgetMs?: number }): PceClient;
  close(): Promise<void>;
}

export async function pceTestBed(simOptions: PceSimulatorOptions = {}): Promise<PceTestBed> {
  const clock = fakeClock();
  const sim = await startPceSimulator({ now: () => clock.now(), ...simOptions });
  const log = memoryLogger(true);
  const clients: PceClient[] = [];

  return {
    sim,
    clock,
    log,
    client(overrides = {}, retry = {}) {
      const c = new PceClient(
        {
          url: sim.url,
          orgId: sim.orgId,
          apiKey: sim.apiKey,
          apiSecret: sim.apiSecret,
          caFile: undefined,
          verifyTls: true,
          timeoutMs: 5000,
          ...overrides,
        },
        { clock, log, retryMaxAttempts: retry.retryMaxAttempts ?? 3, retryBudgetMs: retry.retryBudgetMs ?? 60_000 },
      );
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await sim.close();
    },
  };
}

/** Every string a test must never see in an error, a log line or a hint. */
export function secretForms(sim: PceSimulator): string[] {
  return [sim.apiSecret, Buffer.from(`${sim.apiKey}:${sim.apiSecret}`).toString('base64')];
}

/** The PceError a promise fails with; the test fails if it succeeds or fails otherwise. */
export async function pceRejection(promise: Promise<unknown>): Promise<PceError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof PceError, String(err));
    return err;
  }
  assert.fail('expected a failure, not a result');
}

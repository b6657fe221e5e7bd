/**
 * Soak: 300 cron cycles (+5 min each on a fake clock) against the PCE
 * simulator and a real SMTP server, with seeded random faults: 429s, 503
 * bursts within and past the retry budget, dropped connections, late
 * events, relay refusals (also several in a row) and failed traffic
 * queries. At the end every generated tamper event was mailed exactly once
 * (compared by href with the CSV attachments), and the state stayed bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { makeRng } from '../src/sim/pce-data.js';
import { event, flow } from './helpers/records.js';
import { countOf, eventRule, mailedHrefs, MIN, runEnv, secretLeaks, trafficRule } from './helpers/run-env.js';

const CYCLES = 300;
const SEED = 20250304;

test(`soak: ${CYCLES} cycles with random faults; every tamper event mailed exactly once; the state stays bounded`, async (t) => {
  const env = await runEnv({
    rules: [eventRule({ windowMinutes: 30 }), trafficRule({ threshold: 1, cooldownMinutes: 15 })],
    monitor: { retryMaxAttempts: 3, retryBudgetSeconds: 20, trafficQueryDeadlineSeconds: 30 },
  });
  const random = makeRng(SEED);
  const chance = (p: number) => random() < p;
  const pick = (n: number) => Math.floor(random() * n);
  const generated: string[] = [];
  /** For a failure message: the cycle each event was made in, and what each run did. */
  const madeIn = new Map<string, number>();
  const trace: string[] = [];
  const faults: Record<string, number> = {};
  const note = (f: string) => void (faults[f] = (faults[f] ?? 0) + 1);
  let failedRuns = 0;
  // State sizes without the outbox (kept mail is bounded by the relay outage, checked apart).
  let coreMaxFirst30 = 0;
  let coreMaxLater = 0;
  let fileMaxFirst30 = 0;
  let outboxMax = 0;
  let smtpDownFor = 0;

  try {
    for (let cycle = 1; cycle <= CYCLES + 3; cycle++) {
      env.clock.advance(5 * MIN);
      const now = env.clock.now();
      const calm = cycle > CYCLES; // a few clean cycles at the end deliver what is still kept

      // Events in about half the cycles (each alert mail costs real SMTP time).
      for (let i = chance(0.45) ? 1 + pick(3) : 0; i > 0; i--) {
        const at = now - pick(5 * 60) * 1000 - 1;
        const late = chance(0.3) ? { indexedAt: at + pick(4 * 60) * 1000 } : {};
        const e = event('agent.tampering', at, { host: `h${pick(20)}.example.com` });
        generated.push(e.href);
        madeIn.set(e.href, cycle);
        env.pce.addEvents([{ ...e, ...late }]);
      }
      if (chance(0.5)) env.pce.addEvents([event('user.sign_in', now - pick(300) * 1000)]);
      if (chance(0.2)) env.pce.addFlows([flow({ src: `10.0.0.${pick(9)}`, dst: '10.0.1.9', port: 445, connections: 1 + pick(5), lastSeen: now - MIN })]);

      env.pce.faults.clear();
      env.pce.queryOutcome = 'completed';
      if (!calm) {
        if (chance(0.08)) (note('429'), env.pce.addFault({ path: '/events', status: 429, retryAfter: String(1 + pick(5)) }));
        if (chance(0.08)) (note('503 burst'), env.pce.addFault({ path: '/events', status: 503, times: 1 + pick(2) }));
        if (chance(0.04)) (note('503 past budget'), env.pce.addFault({ path: '/events', status: 503, times: 50 }));
        if (chance(0.03)) (note('dropped connection'), env.pce.addFault({ path: '/events', dropConnection: true }));
        if (chance(0.05)) (note('traffic failed'), (env.pce.queryOutcome = 'failed'));
        if (smtpDownFor === 0 && chance(0.06)) smtpDownFor = 1 + pick(3);
      }
      if (smtpDownFor > 0) note('relay refuses');
      env.smtp.setFailMode(smtpDownFor > 0 ? 'reject-data' : 'none');

      const report = await env.run();
      if (!report.ok) failedRuns++;
      trace[cycle] = `${report.ok ? 'ok' : 'failed'} new ${report.events.new} relay ${smtpDownFor > 0 ? 'down' : 'up'} alerts ${report.alerts.map((a) => a.ruleId)} suppressed ${report.suppressed.map((x) => `${x.ruleId}:${x.reason}`)}`;
      if (smtpDownFor > 0) smtpDownFor--;
      if (report.traffic?.error) assert.equal(report.alerts.some((a) => a.ruleId === 'blocked-smb'), false, `cycle ${cycle}: no traffic alert on an error`);
      const text = await env.stateText();
      if (text !== undefined) {
        const state = JSON.parse(text) as { outbox: unknown[] };
        const core = JSON.stringify({ ...state, outbox: [] }).length;
        outboxMax = Math.max(outboxMax, state.outbox.length);
        if (cycle <= 30) (coreMaxFirst30 = Math.max(coreMaxFirst30, core)), (fileMaxFirst30 = Math.max(fileMaxFirst30, text.length));
        else coreMaxLater = Math.max(coreMaxLater, core);
      }
    }

    const counts = countOf(mailedHrefs(env.smtp.messages, 'tamper'));
    const twice = [...counts].filter(([, n]) => n > 1);
    const missed = generated.filter((h) => !counts.has(h));
    const unknown = [...counts.keys()].filter((h) => !generated.includes(h));
    const summary = `${generated.length} events, ${env.smtp.messages.length} mails, ${failedRuns} failed runs, faults ${JSON.stringify(faults)}`;
    assert.deepEqual(twice, [], `mailed twice (${summary})`);
    const where = (h: string) => [0, 1, 2].map((k) => `${madeIn.get(h)! + k}: ${trace[madeIn.get(h)! + k]}`).join(' | ');
    assert.deepEqual(missed, [], `never mailed (${summary}); first: ${missed.slice(0, 3).map(where).join('\n')}`);
    assert.deepEqual(unknown, []);
    assert.ok(failedRuns > 20 && Object.keys(faults).length === 6, `the faults happened: ${summary}`);

    const state = await env.state();
    assert.deepEqual(state.outbox, [], 'everything kept was delivered');
    const sizeAtEnd = (await fs.stat(env.stateFile)).size;
    t.diagnostic(`${summary}; state without mail: first 30 cycles <= ${coreMaxFirst30} B, later <= ${coreMaxLater} B; file ${sizeAtEnd} B at the end; kept mail <= ${outboxMax}`);
    assert.ok(coreMaxLater <= coreMaxFirst30 * 1.5, `state (without kept mail) grew from at most ${coreMaxFirst30} to ${coreMaxLater} bytes`);
    assert.ok(sizeAtEnd <= fileMaxFirst30 * 1.5, `state file ${sizeAtEnd} bytes at the end, at most ${fileMaxFirst30} in the first 30 cycles`);
    assert.ok(outboxMax <= 3 * 2, `at most one kept message per rule and refused run, got ${outboxMax}`);
    assert.deepEqual(await secretLeaks(env), []);
  } finally {
    await env.close();
  }
});

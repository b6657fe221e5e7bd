/**
 * Whole runs under PCE faults scripted in the simulator: rate limits and
 * 5xx bursts (within and past the retry budget), async traffic queries that
 * fail, never finish, lose their result or come back cut, and odd records
 * and error bodies. An error is never reported as "nothing happened".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { event, flow } from './helpers/records.js';
import { eventRule, mailedHrefs, MIN, runEnv, secretLeaks, T0, trafficRule, type RunEnv } from './helpers/run-env.js';
import type { PceEvent, TrafficFlow } from '../src/types.js';

async function clean(env: RunEnv): Promise<void> {
  assert.deepEqual(await secretLeaks(env), []);
}

async function bytes(file: string): Promise<Buffer | undefined> {
  return fs.readFile(file).catch(() => undefined);
}

test('429 (Retry-After in seconds and as a date) and a 503 burst within the budget: the run succeeds, mailed once, waits as told', async () => {
  const env = await runEnv({ monitor: { retryMaxAttempts: 6, retryBudgetSeconds: 60 } });
  try {
    const tamper = event('agent.tampering', T0 - MIN);
    env.pce.addEvents([tamper]);
    env.pce.addFault({ path: '/events', status: 429, retryAfter: '7' });
    env.pce.addFault({ path: '/events', status: 429, retryAfter: new Date(T0 + 7000 + 12_000).toUTCString() });
    env.pce.addFault({ path: '/events', status: 503, times: 2 });

    const r = await env.main(['run', '--json']);
    assert.equal(r.code, 0, r.stderr);
    // 7 s and 12 s as the PCE said, then back-off 4 s and 8 s for retries 3 and 4.
    assert.deepEqual(env.clock.waits, [7000, 12_000, 4000, 8000]);
    assert.deepEqual(r.json.alerts.map((a: { count: number }) => a.count), [1]);
    assert.equal(env.smtp.messages.length, 1);
    assert.deepEqual(mailedHrefs(env.smtp.messages, 'tamper'), [tamper.href]);
    await clean(env);
  } finally {
    await env.close();
  }
});

test('503s past the retry budget: exit 1, nothing mailed, the state file byte-identical', async () => {
  const env = await runEnv({ realClock: true, monitor: { retryMaxAttempts: 10, retryBudgetSeconds: 2 } });
  try {
    env.pce.addEvents([event('agent.tampering', Date.now() - MIN)]);
    const first = await env.run();
    assert.equal(first.ok, true, first.errors.join('; '));
    assert.equal(env.smtp.messages.length, 1);
    const before = await bytes(env.stateFile);
    const backup = await bytes(`${env.stateFile}.bak`);
    assert.ok(before);

    env.pce.addEvents([event('agent.tampering', Date.now() - 1000)]);
    env.pce.addFault({ path: '/events', status: 503, times: 50 });
    const r = await env.cli(['run', '--json']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.json.events.error, /gave up after \d+ attempts/);
    assert.equal(r.json.events.complete, false);
    assert.deepEqual(r.json.alerts, []);
    assert.equal(env.smtp.messages.length, 1, 'nothing new mailed');
    assert.deepEqual(await bytes(env.stateFile), before, 'state unchanged');
    assert.deepEqual(await bytes(`${env.stateFile}.bak`), backup, 'backup unchanged');
    await clean(env);
  } finally {
    await env.close();
  }
});

// ---------------------------------------------------------------- traffic

/** Blocked 445/tcp: 30 + 12 + 7 connections inside the 10-minute window. */
function smbFlows(now: number): TrafficFlow[] {
  return [
    flow({ src: '10.0.0.5', dst: '10.0.1.9', port: 445, connections: 30, lastSeen: now - MIN }),
    flow({ src: '10.0.0.6', dst: '10.0.1.9', port: 445, connections: 12, lastSeen: now - 2 * MIN }),
    flow({ src: '10.0.0.7', dst: '10.0.1.9', port: 445, connections: 7, lastSeen: now - 3 * MIN }),
  ];
}

async function trafficEnv(): Promise<RunEnv> {
  const env = await runEnv({ rules: [eventRule(), trafficRule()], monitor: { trafficQueryDeadlineSeconds: 60 } });
  env.pce.addFlows(smbFlows(T0));
  env.pce.addEvents([event('agent.tampering', T0 - MIN)]);
  return env;
}

for (const outcome of ['failed', 'cancelled', 'never'] as const) {
  test(`traffic query ${outcome}: exit 1, traffic.error in --json, no traffic alert and no "0 flows" anywhere`, async () => {
    const env = await trafficEnv();
    try {
      env.pce.queryOutcome = outcome;
      const r = await env.main(['run', '--json']);
      assert.equal(r.code, 1, r.stderr);
      const expected = { failed: /ended failed/, cancelled: /ended cancelled/, never: /after 60 s; cancelled it/ }[outcome];
      assert.match(r.json.traffic.error, expected);
      assert.deepEqual(r.json.alerts.map((a: { ruleId: string }) => a.ruleId), ['tamper'], 'the event alert still goes out');
      assert.equal(r.json.rulesEvaluated, 1, 'the traffic rule was not evaluated on missing data');
      assert.ok(r.json.errors.some((e: string) => e.startsWith('traffic:')));
      if (outcome === 'never') {
        assert.equal(env.pce.requestsTo('/traffic_flows/async_queries/', 'PUT').length, 1, 'the query was cancelled');
      }

      // The mail that went out says the traffic was not analysed, not "0 flows".
      const text = env.smtp.messages[0]?.parsed.text ?? '';
      assert.match(text, /traffic/i);
      assert.ok(text.includes(r.json.traffic.error), 'the traffic error is in the mail');
      assert.doesNotMatch(text, /Flows analysed\W+0\b/);

      const human = await env.main(['run']);
      assert.equal(human.code, 1);
      assert.match(human.stdout, /Traffic: not analysed/);
      await clean(env);
    } finally {
      await env.close();
    }
  });
}

test('traffic download answering 410 once: resubmitted, the alert counts 49 connections, exit 0', async () => {
  const env = await trafficEnv();
  try {
    env.pce.downloadGoneOnce = true;
    const r = await env.main(['run', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.traffic.error, null);
    const smb = r.json.alerts.find((a: { ruleId: string }) => a.ruleId === 'blocked-smb');
    assert.equal(smb?.count, 30 + 12 + 7);
    assert.equal(env.pce.requestsTo('/traffic_flows/async_queries', 'POST').length, 2);
    await clean(env);
  } finally {
    await env.close();
  }
});

test('a traffic result the PCE cut: "2 of 3" in the mail and the JSON; the alert counts what was read', async () => {
  const env = await trafficEnv();
  try {
    env.pce.truncateTo = 2;
    const r = await env.main(['run', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      { truncated: r.json.traffic.truncated, flowsCount: r.json.traffic.flowsCount, matchesCount: r.json.traffic.matchesCount },
      { truncated: true, flowsCount: 2, matchesCount: 3 },
    );
    const smb = r.json.alerts.find((a: { ruleId: string }) => a.ruleId === 'blocked-smb');
    assert.equal(smb?.count, 30 + 12);
    const text = env.smtp.messages[0]?.parsed.text ?? '';
    assert.match(text, /2 of 3 \(the PCE cut the result\)/);
    await clean(env);
  } finally {
    await env.close();
  }
});

// ---------------------------------------------------------------- odd records

test('odd events (no href, null time, not objects, unknown types, null fields) are skipped and counted, never a crash', async () => {
  const env = await runEnv();
  try {
    const good = [
      event('agent.tampering', T0 - MIN, { created_by: null, status: null, action: null }),
      event('agent.tampering', T0 - 2 * MIN, { notifications: undefined, resource_changes: undefined, severity: undefined }),
    ];
    const unknownType = event('something.nobody.knows', T0 - MIN);
    const noHref = { ...event('agent.tampering', T0 - MIN), href: undefined } as unknown as PceEvent;
    const nullTime = { ...event('agent.tampering', T0 - MIN), timestamp: null } as unknown as PceEvent;
    env.pce.addEvents([...good, unknownType, noHref, { ...nullTime, at: T0 - MIN }]);
    (env.pce.events as unknown[]).push('not an event', 42, null, ['a', 'list']);

    const r = await env.main(['run', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.events.skipped, 6, 'no href, null time, a string, a number, null, a list');
    assert.equal(r.json.events.fetched, 3);
    assert.deepEqual(r.json.alerts.map((a: { count: number }) => a.count), [2]);
    assert.deepEqual(new Set(mailedHrefs(env.smtp.messages, 'tamper')), new Set(good.map((e) => e.href)));
    await clean(env);
  } finally {
    await env.close();
  }
});

test('odd flows (no service, null workload, null connections, no decision) are skipped or counted as 1, never a crash', async () => {
  const env = await runEnv({ rules: [trafficRule({ threshold: 1, port: undefined, proto: undefined })] });
  try {
    const base = flow({ src: '10.0.0.5', dst: '10.0.1.9', port: 445, connections: 5, lastSeen: T0 - MIN });
    const odd = [
      base,
      { ...base, num_connections: null },
      { ...base, service: undefined, src: { ip: '10.0.0.8', workload: null } },
      { ...base, policy_decision: undefined },
      { ...base, src: null },
    ] as unknown as TrafficFlow[];
    env.pce.addFlows(odd.slice(0, 4));
    // The simulator filters on policy_decision; hand it one it keeps despite a null src.
    env.pce.addFlows([odd[4]!]);

    const r = await env.main(['run', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.traffic.error, null);
    assert.equal(r.json.traffic.skipped, 1, 'the flow with a null src');
    assert.deepEqual(r.json.alerts.map((a: { count: number }) => a.count), [5 + 1 + 5], 'null connections count as 1');
    await clean(env);
  } finally {
    await env.close();
  }
});

for (const [shape, body, message] of [
  ['an object', JSON.stringify({ error: 'events backend unavailable' }), /events backend unavailable/],
  ['a list', JSON.stringify([{ token: 'invalid_request', message: 'max_results is not valid here' }]), /max_results is not valid here/],
  ['a 200 object instead of a list', JSON.stringify({ events: [] }), /not a list of events/],
] as const) {
  test(`an events reply that is ${shape}: exit 1 with the PCE's words, never "0 events"`, async () => {
    const env = await runEnv();
    try {
      env.pce.addEvents([event('agent.tampering', T0 - MIN)]);
      const status = shape.startsWith('a 200') ? 200 : 400;
      env.pce.addFault({ path: '/events', status, body });
      const r = await env.main(['run', '--json']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.json.events.error, message);
      assert.equal(r.json.events.complete, false);
      assert.equal(r.json.events.readUntil, null);
      assert.equal(env.smtp.messages.length, 0);

      const human = await env.main(['run']);
      assert.equal(human.code, 0, 'the next run reads the events');
      assert.equal(env.smtp.messages.length, 1);
      await clean(env);
    } finally {
      await env.close();
    }
  });
}

test('a secret the PCE echoes in an error body appears nowhere', async () => {
  const env = await runEnv();
  try {
    env.pce.addFault({ path: '/events', status: 400, body: JSON.stringify([{ token: 'x', message: `bad credentials ${env.pce.apiSecret}` }]) });
    const r = await env.main(['run', '--json']);
    assert.equal(r.code, 1);
    assert.match(r.json.events.error, /bad credentials \*\*\*/);
    await clean(env);
  } finally {
    await env.close();
  }
});

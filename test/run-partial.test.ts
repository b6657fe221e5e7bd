/**
 * Found by a user: a message the relay took for some recipients and
 * deferred for another was reported as "not delivered".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { event } from './helpers/records.js';
import { runEnv } from './helpers/run-env.js';

test('partly delivered: the run says to whom, and what is kept for whom', async () => {
  const env = await runEnv();
  try {
    await env.editConfig((cfg) => void (cfg.email.to = ['ok@example.com', 'later@example.com']));
    env.smtp.setRcptCodes({ 'later@example.com': 450 });
    env.pce.addEvents([event('agent.tampering', env.clock.now() - 1000, { host: 'app01.example.com' })]);

    const report = await env.run();
    assert.deepEqual(report.errors.map((e) => e.split(':')[0]), ['alert mail delivered to ok@example.com; kept for later@example.com for the next run']);
    assert.deepEqual(env.smtp.messages.map((m) => m.envelope.to), [['ok@example.com']]);

    env.smtp.setRcptCodes({});
    const retry = await env.run();
    assert.deepEqual(retry.errors, []);
    assert.deepEqual(env.smtp.messages.map((m) => m.envelope.to), [['ok@example.com'], ['later@example.com']]);
  } finally {
    await env.close();
  }
});

/**
 * `state show` tells what a cooldown holds back, so an operator can see an
 * alert is owed before it is mailed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { event } from './helpers/records.js';
import { eventRule, MIN, runEnv } from './helpers/run-env.js';

test('state show lists matches held back by a cooldown', async () => {
  const env = await runEnv({ rules: [eventRule({ windowMinutes: 10, cooldownMinutes: 30 })] });
  try {
    env.pce.addEvents([event('agent.tampering', env.clock.now() - 1000, { host: 'host-1.example.com' })]);
    await env.run();
    env.clock.advance(MIN);
    env.pce.addEvents([event('agent.tampering', env.clock.now() - 1000, { host: 'host-2.example.com' })]);
    await env.run();

    const shown = await env.main(['state', 'show', '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const rule = (shown.json.rules as { id: string; heldBack: { count: number; since: string } | null }[]).find((r) => r.id === 'tamper');
    assert.equal(rule?.heldBack?.count, 1);
    const text = await env.main(['state', 'show']);
    assert.match(text.stdout, /tamper \[event\].*, 1 held back since \S+ \(mailed when the cooldown ends\)/);
  } finally {
    await env.close();
  }
});

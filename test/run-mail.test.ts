/**
 * Whole runs when the mail relay refuses or is down: exit 1, the message
 * kept in the state's outbox, no cooldown yet; the next run delivers it
 * exactly once and does not alert the same events again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { event } from './helpers/records.js';
import { countOf, eventRule, mailedHrefs, MIN, runEnv, secretLeaks, T0 } from './helpers/run-env.js';

test('relay rejects DATA: exit 1, kept in the outbox, no cooldown; next run delivers it once and does not re-alert; a new event after the cooldown alerts again', async () => {
  const env = await runEnv({ realClock: true, rules: [eventRule({ cooldownMinutes: 30 })] });
  try {
    const first = event('agent.tampering', Date.now() - MIN, { host: 'app01.example.com' });
    env.pce.addEvents([first]);
    env.smtp.setFailMode('reject-data');

    const refused = await env.cli(['run', '--json']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.json.email.sent, false);
    assert.equal(refused.json.email.queued, 1);
    assert.match(refused.json.errors.join('\n'), /not delivered, kept for the next run.*rejected by policy/);
    let state = await env.state();
    assert.equal(state.outbox.length, 1);
    assert.deepEqual(state.outbox[0]?.ruleIds, ['tamper']);
    assert.equal(state.rules.tamper?.lastAlertAt, undefined, 'no cooldown before delivery');
    assert.equal(env.smtp.messages.length, 0);

    env.smtp.setFailMode('none');
    const retried = await env.cli(['run', '--json']);
    assert.equal(retried.code, 0, retried.stderr);
    assert.equal(retried.json.email.retried.delivered, 1);
    assert.deepEqual(retried.json.alerts, [], 'the same event does not alert again');
    state = await env.state();
    assert.deepEqual(state.outbox, []);
    assert.ok(state.rules.tamper?.lastAlertAt, 'cooldown starts on delivery');
    assert.deepEqual(mailedHrefs(env.smtp.messages, 'tamper'), [first.href]);

    // Within the cooldown a new event is held back; after it, the next one alerts.
    const second = event('agent.tampering', Date.now() - 1000);
    env.pce.addEvents([second]);
    const held = await env.run();
    assert.deepEqual(held.suppressed.map((s) => s.reason), ['cooldown']);
    env.clock.advance(31 * MIN);
    const third = event('agent.tampering', env.clock.now() - 1000);
    env.pce.addEvents([third]);
    const again = await env.run();
    assert.equal(again.ok, true, again.errors.join('; '));
    assert.deepEqual(again.alerts.map((a) => a.ruleId), ['tamper']);

    const counts = countOf(mailedHrefs(env.smtp.messages, 'tamper'));
    assert.deepEqual([...counts], [[first.href, 1], [third.href, 1]]);
    assert.equal(env.smtp.messages.length, 2);
    assert.deepEqual(await secretLeaks(env), []);
  } finally {
    await env.close();
  }
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('relay down for two runs: both exit 1, one message kept (no pile-up), delivered once when the relay is back', async () => {
  const env = await runEnv({ rules: [eventRule({ cooldownMinutes: 30 })] });
  try {
    const relayPort = env.smtp.port;
    const deadPort = await freePort();
    await env.editConfig((c) => void (c.email.smtp.port = deadPort));
    const tamper = event('agent.tampering', T0 - MIN);
    env.pce.addEvents([tamper]);

    const down = await env.main(['run', '--json']);
    assert.equal(down.code, 1, down.stderr);
    assert.equal(down.json.email.queued, 1);

    env.clock.advance(5 * MIN);
    const stillDown = await env.main(['run', '--json']);
    assert.equal(stillDown.code, 1);
    assert.equal(stillDown.json.email.retried.failed, 1);
    assert.equal(stillDown.json.email.queued, 1, 'the same message, not a second one');
    const kept = (await env.state()).outbox;
    assert.equal(kept.length, 1);
    assert.equal(kept[0]?.attempts, 2);

    await env.editConfig((c) => void (c.email.smtp.port = relayPort));
    env.clock.advance(5 * MIN);
    const back = await env.main(['run', '--json']);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(back.json.email.retried.delivered, 1);
    assert.deepEqual(back.json.alerts, []);

    env.clock.advance(5 * MIN);
    const after = await env.main(['run', '--json']);
    assert.equal(after.code, 0);
    assert.equal(env.smtp.messages.length, 1);
    assert.deepEqual(mailedHrefs(env.smtp.messages, 'tamper'), [tamper.href]);
    assert.deepEqual(await secretLeaks(env), []);
  } finally {
    await env.close();
  }
});

/**
 * The outbox never retries what cannot succeed, and stays bounded: whole
 * runs against a real SMTP server on loopback that refuses chosen
 * recipients with 550 (permanent) or 450 (temporary), a recipient removed
 * from email.to while its mail waits, and a message kept past 7 days.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeMessage, sendRaw } from '../src/alert/send.js';
import { renderAlertEmail } from '../src/alert/render.js';
import { memoryLogger } from '../src/output.js';
import { afterFailure, pendingMail } from '../src/run/deliver.js';
import { startSmtpCapture } from '../src/sim/smtp-capture.js';
import { emailSettings, renderContext, smtpSettings, trafficAlert } from './helpers/mail-fixtures.js';
import { event } from './helpers/records.js';
import { countOf, eventRule, mailedHrefs, MIN, runEnv, secretLeaks, T0, type RunEnv } from './helpers/run-env.js';

const SOC = 'soc@example.com';
const GONE = 'soc2@example.com';
const DAY = 24 * 60 * MIN;

async function setRecipients(env: RunEnv, to: string[]): Promise<void> {
  await env.editConfig((c) => void (c.email.to = to));
}

function recipientsOf(env: RunEnv): string[][] {
  return env.smtp.messages.map((m) => m.envelope.to);
}

test('550 for one recipient: the other gets the mail, the refused one is dropped with an error (exit 1) once; later runs exit 0', async () => {
  const env = await runEnv({ rules: [eventRule({ cooldownMinutes: 30 })] });
  try {
    await setRecipients(env, [SOC, GONE]);
    env.smtp.setRcptCodes({ [GONE]: 550 });
    const tamper = event('agent.tampering', T0 - MIN);
    env.pce.addEvents([tamper]);

    const first = await env.main(['run', '--json']);
    assert.equal(first.code, 1, first.stderr);
    const dropped = first.json.errors.filter((e: string) => e.startsWith(`${GONE} refused permanently (550 `));
    assert.equal(dropped.length, 1, first.json.errors.join('\n'));
    assert.match(dropped[0], /: dropped from the kept message$/);
    assert.ok(first.json.errors.some((e: string) => e.startsWith(`alert mail delivered only to ${SOC}, nobody left to retry: `)));
    const state = await env.state();
    assert.deepEqual(state.outbox, [], 'nobody left to retry');
    assert.ok(state.rules.tamper?.lastAlertAt, 'delivered to someone: the cooldown starts');

    for (const minutes of [5, 10]) {
      env.clock.advance(minutes * MIN);
      const later = await env.main(['run', '--json']);
      assert.equal(later.code, 0, later.stderr);
      assert.deepEqual(later.json.errors, []);
    }
    assert.deepEqual(recipientsOf(env), [[SOC]]);
    assert.deepEqual(mailedHrefs(env.smtp.messages, 'tamper'), [tamper.href]);
    assert.deepEqual(await secretLeaks(env), []);
  } finally {
    await env.close();
  }
});

test('a kept message whose only recipient is later refused with 550 leaves the outbox: exit 1 that run, 0 after', async () => {
  const env = await runEnv();
  try {
    await setRecipients(env, [GONE]);
    env.pce.addEvents([event('agent.tampering', T0 - MIN)]);
    env.smtp.setFailMode('reject-data');
    assert.equal((await env.main(['run'])).code, 1);
    assert.equal((await env.state()).outbox.length, 1);

    env.smtp.setFailMode('none');
    env.smtp.setRcptCodes({ [GONE]: 550 });
    env.clock.advance(5 * MIN);
    const learns = await env.main(['run', '--json']);
    assert.equal(learns.code, 1);
    assert.equal(learns.json.email.retried.failed, 1);
    assert.ok(learns.json.errors.some((e: string) => e.startsWith(`${GONE} refused permanently (550 `)), learns.json.errors.join('\n'));
    assert.deepEqual((await env.state()).outbox, []);

    env.clock.advance(5 * MIN);
    const after = await env.main(['run', '--json']);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.json.email.retried.failed, 0);
    assert.equal(env.smtp.messages.length, 0);
  } finally {
    await env.close();
  }
});

test('450 for one recipient: kept for that recipient only, and delivered to it exactly once when the relay takes it', async () => {
  const env = await runEnv({ rules: [eventRule({ cooldownMinutes: 30 })] });
  try {
    await setRecipients(env, [SOC, GONE]);
    env.smtp.setRcptCodes({ [GONE]: 450 });
    const tamper = event('agent.tampering', T0 - MIN);
    env.pce.addEvents([tamper]);

    const first = await env.main(['run', '--json']);
    assert.equal(first.code, 1);
    assert.ok(!first.json.errors.some((e: string) => e.includes('refused permanently')), 'a 4xx is not permanent');
    let kept = (await env.state()).outbox;
    assert.deepEqual(kept.map((m) => m.envelope.to), [[GONE]]);

    env.clock.advance(5 * MIN);
    assert.equal((await env.main(['run'])).code, 1, 'still busy: kept again');
    kept = (await env.state()).outbox;
    assert.deepEqual(kept.map((m) => [m.envelope.to, m.attempts]), [[[GONE], 2]]);

    env.smtp.setRcptCodes({});
    env.clock.advance(5 * MIN);
    const back = await env.main(['run', '--json']);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(back.json.email.retried.delivered, 1);
    assert.deepEqual((await env.state()).outbox, []);

    env.clock.advance(5 * MIN);
    assert.equal((await env.main(['run'])).code, 0);
    assert.deepEqual(recipientsOf(env), [[SOC], [GONE]]);
    assert.deepEqual([...countOf(mailedHrefs(env.smtp.messages, 'tamper'))], [[tamper.href, 2]], 'once per recipient');
  } finally {
    await env.close();
  }
});

test('a recipient removed from email.to is dropped from the kept message with a warning; a message with nobody left leaves unsent', async () => {
  const env = await runEnv();
  try {
    await setRecipients(env, [SOC, GONE]);
    env.pce.addEvents([event('agent.tampering', T0 - MIN)]);
    env.smtp.setFailMode('reject-data');
    assert.equal((await env.main(['run'])).code, 1);

    // Still refused: the narrowed message is kept for SOC alone.
    await setRecipients(env, [SOC]);
    env.clock.advance(5 * MIN);
    const narrowed = await env.main(['run']);
    assert.equal(narrowed.code, 1);
    assert.match(narrowed.stderr, new RegExp(`warning: kept mail from \\S+: ${GONE} no longer in email.to`));
    assert.deepEqual((await env.state()).outbox.map((m) => m.envelope.to), [[SOC]]);

    env.smtp.setFailMode('none');
    env.clock.advance(5 * MIN);
    assert.equal((await env.main(['run'])).code, 0);
    assert.deepEqual(recipientsOf(env), [[SOC]]);

    // A new alert kept while down, then email.to replaced entirely: it leaves, unsent, without an error.
    env.pce.addEvents([event('agent.tampering', env.clock.now() - 1000)]);
    env.smtp.setFailMode('reject-data');
    assert.equal((await env.main(['run'])).code, 1);
    await setRecipients(env, ['new-soc@example.com']);
    env.smtp.setFailMode('none');
    env.clock.advance(5 * MIN);
    const replaced = await env.main(['run', '--json']);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.match(replaced.stderr, /no recipient left in email.to: it leaves the outbox unsent/);
    assert.deepEqual((await env.state()).outbox, []);
    assert.deepEqual(recipientsOf(env), [[SOC]]);
  } finally {
    await env.close();
  }
});

test('a message kept for more than 7 days is dropped with an error (exit 1 that run); later runs exit 0', async () => {
  const env = await runEnv();
  try {
    env.pce.addEvents([event('agent.tampering', T0 - MIN)]);
    env.smtp.setFailMode('reject-data');
    assert.equal((await env.main(['run'])).code, 1);
    const createdAt = (await env.state()).outbox[0]?.createdAt;
    assert.equal(createdAt, new Date(T0).toISOString());

    env.clock.advance(7 * DAY - MIN);
    const lastTry = await env.main(['run', '--json']);
    assert.equal(lastTry.code, 1);
    assert.equal(lastTry.json.email.retried.failed, 1, 'just under 7 days: still retried');
    assert.equal((await env.state()).outbox.length, 1);

    env.smtp.setFailMode('none');
    env.clock.advance(2 * MIN);
    const expired = await env.main(['run', '--json']);
    assert.equal(expired.code, 1);
    const line = expired.json.errors.find((e: string) => e.startsWith(`kept mail from ${createdAt} (tamper) dropped undelivered after 7 days`));
    assert.ok(line, expired.json.errors.join('\n'));
    assert.match(line, /last error: .*554/);
    assert.deepEqual((await env.state()).outbox, []);
    assert.equal(env.smtp.messages.length, 0, 'given up, not sent late');

    env.clock.advance(5 * MIN);
    const after = await env.main(['run', '--json']);
    assert.equal(after.code, 0, after.stderr);
    assert.deepEqual(after.json.errors, []);
  } finally {
    await env.close();
  }
});

test('one attempt with 250, 450 and 550 recipients: only the 450 one stays in the envelope, the 550 one is an error line', async () => {
  const capture = await startSmtpCapture({ rcptCodes: { 'busy@example.com': 450, 'dead@example.com': 550 } });
  try {
    const to = ['ok@example.com', 'busy@example.com', 'dead@example.com'];
    const email = emailSettings(capture.port, { to });
    const message = await composeMessage(renderAlertEmail([trafficAlert()], renderContext(email)), email, {});
    const mail = pendingMail(message, ['blocked-smb'], T0);

    let caught: unknown;
    await sendRaw(smtpSettings(capture.port), message, memoryLogger()).catch((err: unknown) => (caught = err));
    const after = afterFailure(mail, caught);

    assert.deepEqual(after.acceptedBy, ['ok@example.com']);
    assert.deepEqual(after.kept?.envelope.to, ['busy@example.com']);
    assert.equal(after.kept?.attempts, 1);
    assert.equal(after.errors.length, 1);
    assert.match(after.errors[0]!, /^dead@example\.com refused permanently \(550 .*dead@example\.com.*\): dropped from the kept message$/);
    assert.deepEqual(capture.messages.map((m) => m.envelope.to), [['ok@example.com']]);
  } finally {
    await capture.close();
  }
});

/**
 * sendRaw against real SMTP servers on loopback: auth, TLS options, refusals
 * and unreachable relays, each ending in the right MailError, quickly, with
 * no password in any message.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { renderAlertEmail } from '../src/alert/render.js';
import { composeMessage, sendRaw, MailNotAcceptedError, type ComposedMessage } from '../src/alert/send.js';
import { MailError } from '../src/errors.js';
import { memoryLogger } from '../src/output.js';
import type { ResolvedSmtp } from '../src/types.js';
import { emailSettings, renderContext, smtpSettings, trafficAlert } from './helpers/mail-fixtures.js';
import { smtpServers } from './helpers/smtp-servers.js';

const PASSWORD = 's3cret-Pa55word!';
const server = smtpServers();

async function message(to = ['soc@example.com']): Promise<ComposedMessage> {
  const email = emailSettings(1, { to });
  return composeMessage(renderAlertEmail([trafficAlert()], renderContext(email)), email, {});
}

/** Expect a MailError with this code; returns it for more checks. */
async function failsWith(promise: Promise<unknown>, code: string): Promise<MailError> {
  let caught: unknown;
  await promise.catch((err: unknown) => (caught = err));
  assert.ok(caught instanceof MailError, `expected MailError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.exitCode, 1);
  assert.ok(!caught.message.includes(PASSWORD) && !(caught.hint ?? '').includes(PASSWORD), 'no password in the error');
  assert.ok(!caught.message.includes('\n'), 'one line');
  return caught;
}

describe('mail delivery: success', () => {
  it('delivers and reports the accepted recipients and the server reply', async () => {
    const c = await server();
    const msg = await message(['a@example.com', 'b@example.com']);
    const result = await sendRaw(smtpSettings(c.port, { ehloName: 'monitor01.example.com' }), msg, memoryLogger());

    assert.deepEqual(result.accepted, ['a@example.com', 'b@example.com']);
    assert.deepEqual(result.rejected, []);
    assert.match(result.response, /^250 /);
    const [got] = await c.waitFor(1, 2000);
    assert.equal(got?.raw, msg.raw);
    assert.equal(got?.ehlo, 'monitor01.example.com');
  });

  it('logs in with user and password', async () => {
    const c = await server({ auth: { user: 'relay-user', pass: PASSWORD } });
    await sendRaw(smtpSettings(c.port, { user: 'relay-user', password: PASSWORD }), await message(), memoryLogger());
    const [got] = await c.waitFor(1, 2000);
    assert.equal(got?.authUser, 'relay-user');
  });

  it('uses STARTTLS with a CA file, and refuses an unknown certificate', async () => {
    const c = await server({ starttls: true });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mail-ca-'));
    const caFile = path.join(dir, 'relay-ca.pem');
    await writeFile(caFile, c.certPem ?? '');
    const tls: Partial<ResolvedSmtp> = { host: 'localhost', starttls: 'required', verifyTls: true };

    await sendRaw(smtpSettings(c.port, { ...tls, caFile }), await message(), memoryLogger());
    const [got] = await c.waitFor(1, 2000);
    assert.equal(got?.tls, true);

    const err = await failsWith(sendRaw(smtpSettings(c.port, tls), await message(), memoryLogger()), 'MAIL_CONNECT');
    assert.match(err.hint ?? '', /email\.smtp\.caFile/);
  });

  it('speaks implicit TLS when secure is set', async () => {
    const c = await server({ secure: true });
    await sendRaw(smtpSettings(c.port, { secure: true, verifyTls: false }), await message(), memoryLogger());
    const [got] = await c.waitFor(1, 2000);
    assert.equal(got?.tls, true);
  });
});

describe('mail delivery: failures', () => {
  it('reports a wrong password as MAIL_AUTH without the password', async () => {
    const c = await server({ auth: { user: 'relay-user', pass: 'the-right-one' } });
    const err = await failsWith(sendRaw(smtpSettings(c.port, { user: 'relay-user', password: PASSWORD }), await message(), memoryLogger()), 'MAIL_AUTH');
    assert.match(err.message, /535/);
    assert.equal(c.messages.length, 0);
  });

  it('reports a rejected DATA as MAIL_NOT_ACCEPTED with the server reply', async () => {
    const c = await server({ failMode: 'reject-data' });
    const err = await failsWith(sendRaw(smtpSettings(c.port), await message(), memoryLogger()), 'MAIL_NOT_ACCEPTED');
    assert.match(err.message, /554 Message rejected by policy \(test\)/);
  });

  it('fails when any recipient is refused, naming who got it and who did not', async () => {
    const c = await server({ rejectRcpt: ['b@example.com'] });
    const err = await failsWith(sendRaw(smtpSettings(c.port), await message(['a@example.com', 'b@example.com']), memoryLogger()), 'MAIL_NOT_ACCEPTED');
    assert.ok(err instanceof MailNotAcceptedError);
    assert.deepEqual(err.accepted, ['a@example.com']);
    assert.deepEqual(err.rejected, ['b@example.com']);
  });

  it('fails when every recipient is refused', async () => {
    const c = await server({ rejectRcpt: true });
    const err = await failsWith(sendRaw(smtpSettings(c.port), await message(), memoryLogger()), 'MAIL_NOT_ACCEPTED');
    assert.match(err.message, /550/);
  });

  it('fails fast on a port nobody listens on', async () => {
    const port = await freePort();
    const started = Date.now();
    await failsWith(sendRaw(smtpSettings(port, { connectionTimeoutMs: 1000 }), await message(), memoryLogger()), 'MAIL_CONNECT');
    assert.ok(Date.now() - started < 3000);
  });

  it('gives up on a greeting that never comes within greetingTimeout', async () => {
    const c = await server({ failMode: 'slow-greeting', greetingDelayMs: 5000 });
    const started = Date.now();
    await failsWith(sendRaw(smtpSettings(c.port, { greetingTimeoutMs: 300 }), await message(), memoryLogger()), 'MAIL_CONNECT');
    assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
  });

  it('reports a dropped connection, and delivers once the relay is back', async () => {
    const c = await server({ failMode: 'drop-connection' });
    const msg = await message();
    await failsWith(sendRaw(smtpSettings(c.port), msg, memoryLogger()), 'MAIL_CONNECT');

    c.setFailMode('none');
    await sendRaw(smtpSettings(c.port), msg, memoryLogger());
    assert.equal((await c.waitFor(1, 2000)).length, 1);
  });

  it('refuses to send without STARTTLS when it is required', async () => {
    const c = await server();
    await failsWith(sendRaw(smtpSettings(c.port, { starttls: 'required' }), await message(), memoryLogger()), 'MAIL_CONNECT');
    assert.equal(c.messages.length, 0);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

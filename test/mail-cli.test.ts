/**
 * `illumio-monitor test-email` run as a real subprocess against a real SMTP
 * server on loopback: exit 0 only when the server accepted the message for
 * every recipient, exit 1 with the server's reply otherwise.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from './helpers/cli.js';
import { smtpServers } from './helpers/smtp-servers.js';

const PASSWORD = 'relay-Pa55-word';
const server = smtpServers();

/** A config file in a fresh temp dir, like `config init` writes it. */
async function configFor(port: number, smtp: Record<string, unknown> = {}, email: Record<string, unknown> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mail-cli-'));
  const file = path.join(dir, 'illumio-monitor.json');
  const config = {
    pce: { url: 'https://pce.example.com:8443', orgId: 1, apiKey: 'api_1a2b3c4d5e6f7a8b9', apiSecret: 'pce-secret-not-used' },
    email: {
      from: 'illumio-monitor@example.com',
      to: ['soc@example.com', 'noc@example.com'],
      ...email,
      smtp: { host: '127.0.0.1', port, starttls: 'off', connectionTimeoutSeconds: 2, greetingTimeoutSeconds: 2, socketTimeoutSeconds: 5, ...smtp },
    },
    rules: [],
  };
  await writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return file;
}

describe('test-email', () => {
  it('sends to the configured recipients and exits 0', async () => {
    const c = await server();
    const r = await runCli(['--config', await configFor(c.port), 'test-email']);

    assert.equal(r.code, 0, r.stderr);
    const [msg] = await c.waitFor(1, 2000);
    assert.deepEqual(msg?.envelope.to, ['soc@example.com', 'noc@example.com']);
    assert.equal(msg?.parsed.subject, '[Illumio Monitor] Test message');
    assert.ok(msg?.parsed.text?.includes(`illumio-monitor on ${os.hostname()}`), msg?.parsed.text);
    assert.match(msg?.parsed.text ?? '', /sent at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC, UTC\+00:00\)/);
    assert.ok(r.stdout.includes(String(msg?.parsed.messageId)), r.stdout);
  });

  it('sends only to --to when given, and reports JSON', async () => {
    const c = await server();
    const r = await runCli(['--config', await configFor(c.port), 'test-email', '--to', 'me@example.com', '--to', 'you@example.com', '--json']);

    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    const [msg] = await c.waitFor(1, 2000);
    assert.deepEqual(msg?.envelope.to, ['me@example.com', 'you@example.com']);
    assert.deepEqual(out, {
      ok: true,
      accepted: ['me@example.com', 'you@example.com'],
      rejected: [],
      response: out.response,
      messageId: msg?.parsed.messageId,
    });
    assert.match(String(out.response), /^250 /);
  });

  it('logs in with the password from ILLUMIO_SMTP_PASSWORD', async () => {
    const c = await server({ auth: { user: 'relay', pass: PASSWORD } });
    const r = await runCli(['--config', await configFor(c.port, { user: 'relay' }), 'test-email'], { env: { ILLUMIO_SMTP_PASSWORD: PASSWORD } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await c.waitFor(1, 2000))[0]?.authUser, 'relay');
  });

  it('exits 1 with the server reply when the message is refused', async () => {
    const c = await server({ failMode: 'reject-data' });
    const r = await runCli(['--config', await configFor(c.port), 'test-email', '--json']);

    assert.equal(r.code, 1);
    assert.match(r.stderr, /did not accept the message: 554 Message rejected by policy \(test\)/);
    const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string } };
    assert.equal(out.ok, false);
    assert.equal(out.error.code, 'MAIL_NOT_ACCEPTED');
  });

  it('exits 1 when one recipient is refused, naming it', async () => {
    const c = await server({ rejectRcpt: ['noc@example.com'] });
    const r = await runCli(['--config', await configFor(c.port), 'test-email', '--json']);

    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { ok: boolean; accepted: string[]; rejected: string[] };
    assert.deepEqual([out.ok, out.accepted, out.rejected], [false, ['soc@example.com'], ['noc@example.com']]);
    assert.match(r.stderr, /refused recipient\(s\) noc@example.com/);
  });

  it('exits 1 on a wrong password without printing it', async () => {
    const c = await server({ auth: { user: 'relay', pass: 'another-password' } });
    const r = await runCli(['--config', await configFor(c.port, { user: 'relay' }), 'test-email', '--json'], { env: { ILLUMIO_SMTP_PASSWORD: PASSWORD } });

    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused the login of relay: 535/);
    assert.ok(!r.stderr.includes(PASSWORD) && !r.stdout.includes(PASSWORD));
  });

  it('exits 1 quickly when nothing listens', async () => {
    const c = await server();
    const port = c.port;
    await c.close();
    const started = Date.now();
    const r = await runCli(['--config', await configFor(port), 'test-email']);

    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot deliver mail through 127\.0\.0\.1:\d+: .*ECONNREFUSED|cannot deliver mail through/);
    assert.ok(Date.now() - started < 10_000);
  });

  it('takes a comma list in --to, as config set email.to does', async () => {
    const c = await server();
    const r = await runCli(['--config', await configFor(c.port), 'test-email', '--to', 'a@example.com, b@example.com']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(c.messages.map((m) => m.envelope.to), [['a@example.com', 'b@example.com']]);
  });

  it('exits 2 for a recipient that is not one address', async () => {
    const c = await server();
    const r = await runCli(['--config', await configFor(c.port), 'test-email', '--to', 'a@example.com; b@example.com']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /email\.to\[0\] must hold exactly one address/);
    assert.equal(c.messages.length, 0);
  });
});

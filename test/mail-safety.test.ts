/**
 * The SMTP password never crosses the network in clear text: the TLS rule
 * (pure, for non-loopback hosts a loopback test cannot reach), the transport
 * options built from it, and real sessions against a capture on 127.0.0.1
 * that offers no STARTTLS: delivery and doctor both stop before AUTH.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeMessage, sendRaw, transportOptions } from '../src/alert/send.js';
import { renderAlertEmail } from '../src/alert/render.js';
import { isLoopbackHost, needsTls, sendsPasswordInClear, warnClearTextPassword } from '../src/alert/transport.js';
import { checkLine } from '../src/doctor/check.js';
import { smtpChecks } from '../src/doctor/smtp-checks.js';
import { MailError } from '../src/errors.js';
import { memoryLogger } from '../src/output.js';
import type { ResolvedSmtp } from '../src/types.js';
import { emailSettings, renderContext, smtpSettings, trafficAlert } from './helpers/mail-fixtures.js';
import { smtpServers } from './helpers/smtp-servers.js';

const USER = 'relay-user';
const PASSWORD = 'cl3ar-text-N0t-allowed';
const REMOTE = { host: 'relay.example.net', user: USER, password: PASSWORD } as const;
const NO_TLS_HINT = "set email.smtp.starttls to 'off' to allow it, or use a relay with TLS";

const server = smtpServers();

async function message() {
  const email = emailSettings(1, { to: ['soc@example.com'] });
  return composeMessage(renderAlertEmail([trafficAlert()], renderContext(email)), email, {});
}

function remote(extra: Partial<ResolvedSmtp> = {}): ResolvedSmtp {
  return smtpSettings(25, { ...REMOTE, starttls: 'auto', ...extra });
}

describe('the TLS rule for the password', () => {
  it('knows loopback hosts by name and address', () => {
    for (const h of ['localhost', 'LOCALHOST', 'localhost.', '127.0.0.1', '127.8.9.10', '::1', '[::1]', '::ffff:127.0.0.1']) {
      assert.equal(isLoopbackHost(h), true, h);
    }
    for (const h of ['relay.example.net', '10.0.0.5', '128.0.0.1', '::2', 'localhost.example.com', '127.0.0.1.nip.io', '0.0.0.0']) {
      assert.equal(isLoopbackHost(h), false, h);
    }
  });

  it('requires STARTTLS when a user is set, the relay is remote and TLS is not implicit', () => {
    assert.equal(needsTls(remote()), true, 'auto + user + remote');
    assert.equal(needsTls(remote({ starttls: 'off' })), false, 'explicit opt-out');
    assert.equal(needsTls(remote({ secure: true })), false, 'implicit TLS already protects it');
    assert.equal(needsTls(remote({ user: undefined, password: undefined })), false, 'no password to protect');
    assert.equal(needsTls(remote({ host: '127.0.0.1' })), false, 'loopback');
    assert.equal(needsTls(remote({ host: 'localhost' })), false, 'loopback by name');
    assert.equal(needsTls(remote({ user: undefined, starttls: 'required' })), true, 'asked for');
  });

  it('sets requireTLS in the transport options exactly when the rule says so', async () => {
    assert.equal((await transportOptions(remote())).requireTLS, true);
    assert.equal((await transportOptions(remote())).ignoreTLS, false);
    const optedOut = await transportOptions(remote({ starttls: 'off' }));
    assert.deepEqual([optedOut.requireTLS, optedOut.ignoreTLS], [false, true]);
    assert.equal((await transportOptions(remote({ host: '127.0.0.1' }))).requireTLS, false);
    assert.equal((await transportOptions(remote({ secure: true }))).requireTLS, false);
  });

  it('warns once per logger when the config opts out for a remote relay, never with the password', () => {
    assert.equal(sendsPasswordInClear(remote({ starttls: 'off' })), true);
    assert.equal(sendsPasswordInClear(remote({ starttls: 'off', host: '::1' })), false);
    assert.equal(sendsPasswordInClear(remote()), false, 'auto never sends it in clear');

    const log = memoryLogger();
    warnClearTextPassword(remote({ starttls: 'off' }), log);
    warnClearTextPassword(remote({ starttls: 'off' }), log);
    warnClearTextPassword(remote(), log);
    assert.equal(log.lines.length, 1);
    assert.match(log.lines[0]!, /^warning: .*relay-user.*relay\.example\.net in clear text/);
    assert.ok(!log.lines[0]!.includes(PASSWORD));

    const quiet = memoryLogger();
    warnClearTextPassword(remote({ starttls: 'off', host: '127.0.0.1' }), quiet);
    assert.deepEqual(quiet.lines, []);
  });
});

describe('a relay without STARTTLS while TLS is required', () => {
  it('delivery fails with MAIL_TLS_REQUIRED before AUTH: the capture saw no login and no message', async () => {
    const c = await server({ auth: { user: USER, pass: PASSWORD } });
    // Loopback never needs TLS by the rule, so 'required' forces the same requireTLS path.
    const smtp = smtpSettings(c.port, { user: USER, password: PASSWORD, starttls: 'required' });

    let caught: unknown;
    await sendRaw(smtp, await message(), memoryLogger()).catch((err: unknown) => (caught = err));

    assert.ok(caught instanceof MailError, String(caught));
    assert.equal(caught.code, 'MAIL_TLS_REQUIRED');
    assert.equal(caught.exitCode, 1);
    assert.equal(caught.message, `the relay 127.0.0.1:${c.port} offers no STARTTLS; refusing to send the password of ${USER} in clear text`);
    assert.equal(caught.hint, "Set email.smtp.starttls to 'off' to allow it, or use a relay with TLS.");
    assert.deepEqual(c.authAttempts, []);
    assert.equal(c.messages.length, 0);
  });

  it('the same relay with starttls off on loopback logs in and delivers (the capture saw the login)', async () => {
    const c = await server({ auth: { user: USER, pass: PASSWORD } });
    const log = memoryLogger();
    await sendRaw(smtpSettings(c.port, { user: USER, password: PASSWORD, starttls: 'off' }), await message(), log);
    assert.deepEqual(c.authAttempts, [{ user: USER, tls: false }]);
    assert.equal(c.messages.length, 1);
    assert.ok(!log.lines.some((l) => l.startsWith('warning:')), 'loopback: nothing crosses the network');
  });

  it('doctor: smtp-starttls and smtp-auth FAIL, and the password is never sent', async () => {
    const c = await server({ auth: { user: USER, pass: PASSWORD } });
    const checks = await smtpChecks(smtpSettings(c.port, { user: USER, password: PASSWORD, starttls: 'required' }));
    const byId = Object.fromEntries(checks.map((k) => [k.id, k]));

    assert.deepEqual(checks.map((k) => `${k.id}=${k.status}`), [
      'smtp-connect=ok', 'smtp-greeting=ok', 'smtp-ehlo=ok', 'smtp-starttls=fail', 'smtp-auth=fail',
    ]);
    assert.match(byId['smtp-starttls']!.detail, /^127\.0\.0\.1 offers no STARTTLS \(.*\b5\d\d\b/);
    assert.equal(checkLine(byId['smtp-auth']!),
      `FAIL smtp-auth      not attempted: the relay offers no STARTTLS; refusing to send the password of ${USER} in clear text; fix: ${NO_TLS_HINT}`);
    assert.deepEqual(c.authAttempts, []);
    assert.ok(!JSON.stringify(checks).includes(PASSWORD));
  });

  it('doctor over STARTTLS logs in inside TLS', async () => {
    const c = await server({ auth: { user: USER, pass: PASSWORD }, starttls: true });
    const smtp = smtpSettings(c.port, { user: USER, password: PASSWORD, starttls: 'required', verifyTls: false });
    const checks = await smtpChecks(smtp);
    assert.equal(checks.find((k) => k.id === 'smtp-auth')?.status, 'ok');
    assert.deepEqual(c.authAttempts, [{ user: USER, tls: true }]);
  });
});

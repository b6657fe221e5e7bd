/**
 * The setup-postfix plan for each distribution family, from fixture roots:
 * the exact steps, in order, for what those files hold.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { inspectSystem } from '../src/postfix/inspect.js';
import type { SetupOptions } from '../src/postfix/options.js';
import { detectOs, familyOf, parseOsRelease } from '../src/postfix/os-release.js';
import { buildPlan } from '../src/postfix/plan.js';
import { describeStep, type Step } from '../src/postfix/steps.js';
import { copyFixture, fakeRunner } from './helpers/postfix-fakes.js';

const PASSWORD = 'Pa55-word!';
const BACKUP = '/etc/postfix/illumio_backups/20250301T120000Z';

function opts(configDir: string, extra: Partial<SetupOptions> = {}): SetupOptions {
  return {
    relayHost: 'smtp.example.com', relayPort: 587, relayUser: 'alerts', password: PASSWORD, tls: 'encrypt',
    configDir, install: true, restart: true, dryRun: false, ...extra,
  };
}

/** Inspect a fixture root, then plan as if its files lived in /etc/postfix. */
async function planFor(fixture: string, extra: Partial<SetupOptions> = {}, running = true) {
  const { root, configDir } = await copyFixture(fixture);
  const os = await detectOs(root);
  const current = await inspectSystem(root, configDir, fakeRunner({ running }));
  const plan = buildPlan({ os, options: opts('/etc/postfix', extra), current, backupDir: BACKUP });
  return { os, plan, lines: (steps: Step[]) => steps.map(describeStep) };
}

const BACKUP_LINE = `back up /etc/postfix/main.cf, /etc/postfix/master.cf, /etc/postfix/sasl_passwd, /etc/postfix/sasl_passwd.db to ${BACKUP}/`;
const SASL_TAIL = [
  'write /etc/postfix/sasl_passwd (mode 0600): [smtp.example.com]:587 alerts:***',
  'postmap hash:/etc/postfix/sasl_passwd',
  'chmod 0600 /etc/postfix/sasl_passwd.db',
  'postfix -c /etc/postfix check',
];

test('os-release: ID first, then ID_LIKE; quotes removed', () => {
  assert.equal(familyOf(parseOsRelease('ID="rocky"\nID_LIKE="rhel centos fedora"\n')), 'rhel');
  assert.equal(familyOf(parseOsRelease('ID=linuxmint\nID_LIKE="ubuntu debian"\n')), 'debian');
  assert.equal(familyOf(parseOsRelease('ID=almalinux\n')), 'rhel');
  assert.equal(familyOf(parseOsRelease('ID=alpine\n')), undefined);
});

test('Debian 12 "Local only": every relay setting, transports reset, chroot off, reload', async () => {
  const { os, plan, lines } = await planFor('debian12');

  assert.equal(os.family, 'debian');
  assert.deepEqual(plan.install, []);
  assert.deepEqual(lines(plan.configure), [
    BACKUP_LINE,
    "postconf -c /etc/postfix -e 'relayhost = [smtp.example.com]:587' 'smtp_sasl_auth_enable = yes' " +
      "'smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd' 'smtp_sasl_security_options = noanonymous' " +
      "'smtp_sasl_tls_security_options = noanonymous' 'smtp_tls_security_level = encrypt' " +
      "'smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt' 'mynetworks = 127.0.0.0/8 [::1]/128' " +
      "'default_transport = smtp' 'relay_transport = relay'",
    'postconf -c /etc/postfix -F smtp/unix/chroot=n relay/unix/chroot=n',
    ...SASL_TAIL,
    'postfix -c /etc/postfix reload',
  ]);
});

test('Ubuntu 22.04 under systemd: inet_interfaces changes, so systemctl restart', async () => {
  const { plan, lines } = await planFor('ubuntu22');

  assert.deepEqual(lines(plan.configure), [
    BACKUP_LINE,
    "postconf -c /etc/postfix -e 'relayhost = [smtp.example.com]:587' 'smtp_sasl_auth_enable = yes' " +
      "'smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd' 'smtp_sasl_security_options = noanonymous' " +
      "'smtp_sasl_tls_security_options = noanonymous' 'smtp_tls_security_level = encrypt' " +
      "'smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt' 'inet_interfaces = loopback-only' " +
      "'mynetworks = 127.0.0.0/8 [::1]/128'",
    'postconf -c /etc/postfix -F smtp/unix/chroot=n relay/unix/chroot=n',
    ...SASL_TAIL,
    'systemctl restart postfix',
  ]);
});

test('RHEL 9: CA bundle already set, chroot already off, Postfix down so it is started', async () => {
  const { os, plan, lines } = await planFor('rhel9', { tls: 'may' }, false);

  assert.equal(os.installer, 'dnf');
  assert.deepEqual(lines(plan.configure), [
    BACKUP_LINE,
    "postconf -c /etc/postfix -e 'relayhost = [smtp.example.com]:587' 'smtp_sasl_auth_enable = yes' " +
      "'smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd' 'smtp_sasl_security_options = noanonymous' " +
      "'smtp_sasl_tls_security_options = noanonymous' 'inet_interfaces = loopback-only' " +
      "'mynetworks = 127.0.0.0/8 [::1]/128'",
    ...SASL_TAIL,
    'postfix -c /etc/postfix start',
  ]);
  assert.ok(plan.notes.some((n) => n.includes('unencrypted')), 'warns that --tls may can send the password in clear');
});

test('Rocky 8 without Postfix: dnf installs both packages, then the plugin is verified', async () => {
  const { plan, lines } = await planFor('rocky8');

  assert.deepEqual(lines(plan.install), [
    'dnf install -y postfix cyrus-sasl-plain',
    'check that a SASL PLAIN or LOGIN client plugin is installed (package cyrus-sasl-plain)',
  ]);
});

test('Debian without Postfix: preseeded, non-interactive apt-get', async () => {
  const { root } = await copyFixture('debian12');
  await fs.rm(path.join(root, 'usr'), { recursive: true });
  const os = await detectOs(root);
  const current = await inspectSystem(root, path.join(root, 'etc/postfix'), fakeRunner());
  const plan = buildPlan({ os, options: opts('/etc/postfix'), current, backupDir: BACKUP });

  assert.deepEqual(plan.install.map(describeStep), [
    "debconf-set-selections <<< 'postfix postfix/main_mailer_type select Local only'",
    'DEBIAN_FRONTEND=noninteractive apt-get update -q',
    'DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix libsasl2-modules',
    'check that a SASL PLAIN or LOGIN client plugin is installed (package libsasl2-modules)',
  ]);
});

test('--no-install: missing Postfix or SASL plugin is named before any step', async () => {
  await assert.rejects(planFor('rocky8', { install: false }), { code: 'POSTFIX_MISSING' });

  const { root, configDir } = await copyFixture('debian12');
  await fs.rm(path.join(root, 'usr/lib/x86_64-linux-gnu/sasl2'), { recursive: true });
  const os = await detectOs(root);
  const current = await inspectSystem(root, configDir, fakeRunner());
  assert.throws(
    () => buildPlan({ os, options: opts(configDir, { install: false }), current, backupDir: BACKUP }),
    (err: Error & { code?: string }) => err.code === 'SASL_PLUGIN_MISSING' && err.message.includes('libsasl2-modules'),
  );
});

test('relay through an IPv6 literal uses the [ipv6:...] form in relayhost and sasl_passwd', async () => {
  const { plan } = await planFor('rhel9', { relayHost: '2001:db8::25' });
  const write = plan.configure.find((s) => s.kind === 'write');

  assert.equal(write?.kind === 'write' && write.content, `[ipv6:2001:db8::25]:587 alerts:${PASSWORD}\n`);
});

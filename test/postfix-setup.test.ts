/**
 * setup-postfix run end to end on fixture roots in temp dirs: real file
 * writes and backups, a runner standing in for the Postfix programs.
 * Dry-run, idempotency, rollback, and the password never shown.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { formatResult } from '../src/commands/setup-postfix.js';
import { memoryLogger } from '../src/output.js';
import { readRelayPassword, type SetupOptions } from '../src/postfix/options.js';
import { setupPostfix } from '../src/postfix/setup.js';
import { copyFixture, fakeRunner, treeDigest, type FakeRunner } from './helpers/postfix-fakes.js';

const PASSWORD = 'Sup3r-Secret#pw';
const NOW = Date.UTC(2025, 2, 1, 12, 0, 0);
const clock = { now: () => NOW, sleep: async () => undefined };

function opts(configDir: string, extra: Partial<SetupOptions> = {}): SetupOptions {
  return {
    relayHost: 'smtp.example.com', relayPort: 587, relayUser: 'alerts', password: PASSWORD, tls: 'encrypt',
    configDir, install: false, restart: true, dryRun: false, ...extra,
  };
}

async function run(root: string, options: SetupOptions, runner: FakeRunner = fakeRunner()) {
  const log = memoryLogger(true);
  const result = await setupPostfix(options, { root, runner, clock, log });
  return { result, log, runner };
}

async function backups(configDir: string): Promise<string[]> {
  return fs.readdir(path.join(configDir, 'illumio_backups')).catch(() => []);
}

test('dry-run lists every change, masks the password and changes nothing', async () => {
  const { root, configDir } = await copyFixture('debian12');
  const before = await treeDigest(root);

  const { result, log, runner } = await run(root, opts(configDir, { dryRun: true }));
  const text = formatResult(result, 'alerts');

  assert.equal(await treeDigest(root), before);
  assert.ok(result.changed);
  assert.ok(text.includes('[smtp.example.com]:587 alerts:***'));
  assert.ok(text.includes(`postconf -c ${configDir} -F smtp/unix/chroot=n relay/unix/chroot=n`));
  assert.deepEqual(runner.calls, [['postfix', '-c', configDir, 'status']], 'only the status probe ran');
  for (const out of [text, JSON.stringify(result), log.lines.join('\n')]) assert.ok(!out.includes(PASSWORD));
});

test('a run writes sasl_passwd 0600 and its map 0600; the second identical run says no change', async () => {
  const { root, configDir } = await copyFixture('debian12');
  const mainBefore = await fs.readFile(path.join(configDir, 'main.cf'), 'utf8');

  const first = await run(root, opts(configDir));
  const sasl = path.join(configDir, 'sasl_passwd');

  assert.equal(await fs.readFile(sasl, 'utf8'), `[smtp.example.com]:587 alerts:${PASSWORD}\n`);
  assert.equal((await fs.stat(sasl)).mode & 0o777, 0o600);
  assert.equal((await fs.stat(`${sasl}.db`)).mode & 0o777, 0o600);
  assert.equal(first.result.backupDir, path.join(configDir, 'illumio_backups', '20250301T120000Z'));
  assert.equal(await fs.readFile(path.join(first.result.backupDir!, 'main.cf'), 'utf8'), mainBefore);
  assert.equal((await fs.stat(first.result.backupDir!)).mode & 0o777, 0o700);

  const digest = await treeDigest(configDir);
  const second = await run(root, opts(configDir));

  assert.equal(second.result.changed, false);
  assert.deepEqual(second.result.steps, []);
  assert.match(formatResult(second.result, 'alerts'), /^no change: Postfix already relays through \[smtp\.example\.com\]:587 as alerts\./);
  assert.deepEqual(await backups(configDir), ['20250301T120000Z']);
  assert.equal(await treeDigest(configDir), digest);
});

test('a changed password rewrites only sasl_passwd and its map, then reloads', async () => {
  const { root, configDir } = await copyFixture('rhel9');
  await run(root, opts(configDir));

  const { result } = await run(root, opts(configDir, { password: 'another-Secret9' }));

  assert.deepEqual(result.steps.slice(1), [
    'write ' + path.join(configDir, 'sasl_passwd') + ' (mode 0600): [smtp.example.com]:587 alerts:***',
    `postmap hash:${configDir}/sasl_passwd`,
    `chmod 0600 ${configDir}/sasl_passwd.db`,
    `postfix -c ${configDir} check`,
    `postfix -c ${configDir} reload`,
  ]);
  assert.equal((await backups(configDir)).length, 2, 'same second: a second folder with a suffix');
});

test('a failing step restores every file byte for byte and names the step', async () => {
  const { root, configDir } = await copyFixture('debian12');
  const before = await treeDigest(path.join(root, 'etc/postfix'));
  const runner = fakeRunner({ fail: (argv) => argv.includes('check') });

  const err = await run(root, opts(configDir), runner).then(() => undefined, (e: unknown) => e as Error & { code: string });

  assert.equal(err?.code, 'POSTFIX_SETUP_FAILED');
  assert.match(err.message, /failed at step "postfix-check": postfix exited with 1: fatal: postfix was told to fail; restored 4 files from /);
  assert.ok(!err.message.includes(PASSWORD));
  assert.ok(runner.calls.some((c) => c[3] === '-e'), 'main.cf had been edited before the failure');
  await fs.rm(path.join(configDir, 'illumio_backups'), { recursive: true });
  assert.equal(await treeDigest(path.join(root, 'etc/postfix')), before);
});

test('rollback puts back the previous sasl_passwd and map, not just deletes', async () => {
  const { root, configDir } = await copyFixture('rhel9');
  await run(root, opts(configDir));
  await fs.rm(path.join(configDir, 'illumio_backups'), { recursive: true });
  const before = await treeDigest(configDir);

  const runner = fakeRunner({ fail: (argv) => argv[0] === 'postmap' });
  await assert.rejects(run(root, opts(configDir, { relayPort: 2525 }), runner), /failed at step "postmap"/);

  await fs.rm(path.join(configDir, 'illumio_backups'), { recursive: true });
  assert.equal(await treeDigest(configDir), before);
});

test('a missing SASL plugin stops the run before any file is touched', async () => {
  const { root, configDir } = await copyFixture('rhel9');
  await fs.rm(path.join(root, 'usr/lib64/sasl2'), { recursive: true });
  const before = await treeDigest(root);

  await assert.rejects(run(root, opts(configDir)), (e: Error & { code?: string }) =>
    e.code === 'SASL_PLUGIN_MISSING' && e.message.includes('install package cyrus-sasl-plain'));
  assert.equal(await treeDigest(root), before);
});

test('install: packages first, then the plan is made again on the installed files', async () => {
  const { root, configDir } = await copyFixture('rocky8');
  const runner = fakeRunner({ running: false });
  // Stand-in for dnf: it lays down the files the packages would.
  const install = async () => {
    await fs.mkdir(path.join(root, 'usr/sbin'), { recursive: true });
    await fs.writeFile(path.join(root, 'usr/sbin/postconf'), '');
    await fs.mkdir(path.join(root, 'usr/lib64/sasl2'), { recursive: true });
    await fs.writeFile(path.join(root, 'usr/lib64/sasl2/libplain.so.3'), '');
    await fs.writeFile(path.join(configDir, 'main.cf'), 'inet_interfaces = localhost\n');
    await fs.writeFile(path.join(configDir, 'master.cf'), 'smtp unix - - n - - smtp\nrelay unix - - n - - smtp\n');
  };
  const origRun = runner.run.bind(runner);
  runner.run = async (argv, o) => (argv[0] === 'dnf' ? (await install(), { code: 0, stdout: '', stderr: '' }) : origRun(argv, o));

  const { result } = await run(root, opts(configDir, { install: true }), runner);

  assert.equal(result.steps[0], 'dnf install -y postfix cyrus-sasl-plain');
  assert.ok(result.steps.includes(`postfix -c ${configDir} start`));
  assert.ok(!result.steps.some((s) => s.includes('chroot')), 'the installed master.cf already has chroot off');
  assert.equal(runner.running, true);
});

test('relay password: one final newline of a file is fine; surrounding blanks are refused', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'relay-pw-'));
  const write = async (name: string, text: string) => {
    await fs.writeFile(path.join(dir, name), text, { mode: 0o600 });
    return path.join(dir, name);
  };

  assert.equal(await readRelayPassword(await write('ok', 'pa ss\n'), undefined), 'pa ss');
  assert.equal(await readRelayPassword(undefined, 'from-env'), 'from-env');
  for (const bad of [' lead', 'trail \n', 'tab\t', 'two\n\n', 'a\nb']) {
    await assert.rejects(readRelayPassword(await write('bad', bad), undefined), (e: Error & { exitCode?: number }) =>
      e.exitCode === 2 && !e.message.includes(bad.trim()));
  }
  await assert.rejects(readRelayPassword(undefined, ' env-pw'), /starts or ends with a blank/);
  await assert.rejects(readRelayPassword(await write('x', 'x'), 'y'), /give one/);
  await assert.rejects(readRelayPassword(undefined, undefined), /no relay password/);
  await fs.rm(dir, { recursive: true });
});

/**
 * setup-postfix through the built CLI: the password never comes from argv
 * and never shows up; bad input is a usage error (exit 2) before anything
 * is read; --dry-run on a copy of a fixture changes nothing.
 */
import assert from 'node:assert/strict';
import { readFileSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { familyOf, parseOsRelease } from '../src/postfix/os-release.js';
import { runCli } from './helpers/cli.js';
import { copyFixture, treeDigest } from './helpers/postfix-fakes.js';

const PASSWORD = 'cli-Secret-42';
const BASE = ['setup-postfix', '--relay-host', 'smtp.example.com', '--relay-user', 'alerts'];

function hostFamily(): string | undefined {
  try {
    return familyOf(parseOsRelease(readFileSync('/etc/os-release', 'utf8')));
  } catch {
    return undefined;
  }
}

test('--relay-password on the command line is refused without echoing it', async () => {
  const r = await runCli([...BASE, '--relay-password', PASSWORD, '--dry-run']);

  assert.equal(r.code, 2);
  assert.match(r.stderr, /--relay-password is not accepted/);
  assert.ok(!r.stderr.includes(PASSWORD) && !r.stdout.includes(PASSWORD));
});

test('a password with surrounding blanks, or a bracketed host, is a usage error', async () => {
  const blank = await runCli([...BASE, '--dry-run'], { env: { ILLUMIO_RELAY_PASSWORD: `${PASSWORD} ` } });
  assert.equal(blank.code, 2);
  assert.match(blank.stderr, /starts or ends with a blank, which postmap would drop/);

  const host = await runCli(['setup-postfix', '--relay-host', '[smtp.example.com]', '--relay-user', 'a', '--dry-run'], {
    env: { ILLUMIO_RELAY_PASSWORD: PASSWORD },
  });
  assert.equal(host.code, 2);
  assert.match(host.stderr, /is not a host name or IP address/);
});

test('--dry-run prints the plan with *** for the password and changes nothing', { skip: hostFamily() ? undefined : 'this host is neither Debian- nor RHEL-like' }, async () => {
  const { configDir } = await copyFixture('debian12');
  const pwFile = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'pw-')), 'relay.pw');
  await fs.writeFile(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
  const before = await treeDigest(configDir);

  const args = [...BASE, '--relay-password-file', pwFile, '--config-dir', configDir, '--dry-run'];
  const text = await runCli(args, { env: { ILLUMIO_RELAY_PASSWORD: undefined } });
  const json = await runCli(['--json', ...args], { env: { ILLUMIO_RELAY_PASSWORD: undefined } });

  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /nothing was changed/);
  assert.ok(text.stdout.includes(`write ${configDir}/sasl_passwd (mode 0600): [smtp.example.com]:587 alerts:***`));
  assert.equal(JSON.parse(json.stdout).dryRun, true);
  for (const out of [text.stdout, text.stderr, json.stdout, json.stderr]) assert.ok(!out.includes(PASSWORD));
  assert.equal(await treeDigest(configDir), before);
  await fs.rm(path.dirname(pwFile), { recursive: true });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './helpers/cli.js';

test('--help lists the verbs and the exit codes', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const verb of ['run', 'rules', 'test-email', 'setup-postfix', 'state', 'config']) {
    assert.match(r.stdout, new RegExp(`illumio-monitor ${verb}\\b`));
  }
  assert.match(r.stdout, /75 {2}another run holds the lock/);
});

test('no command is a usage error (exit 2) with help on stderr', async () => {
  const r = await runCli([]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /Name a command/);
});

test('an unknown option is a usage error', async () => {
  const r = await runCli(['state', 'show', '--frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown argument: frobnicate/);
});

test('--quiet and --verbose conflict', async () => {
  const r = await runCli(['run', '--quiet', '--verbose']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /mutually exclusive/);
});

test('--json gives a JSON error on stdout for usage errors too', async () => {
  for (const args of [['--json'], ['--json', 'bogus'], ['--json', 'run', '--bogus'], ['--json', 'run', '-q', '-v'], ['--json', 'config', 'set']]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(' '));
    const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string } };
    assert.equal(out.ok, false, args.join(' '));
    assert.equal(out.error.code, 'USAGE', `${args.join(' ')}: ${out.error.message}`);
  }
});

test('an unknown option of a verb is a usage error', async () => {
  const r = await runCli(['run', '--bogus']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown argument: bogus/);
});

test('an option that needs a value and gets none is a usage error, not an internal one', async () => {
  const r = await runCli(['run', '--save-email']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error: Not enough arguments following: save-email/);
  assert.doesNotMatch(r.stderr, /internal error/);
});

test('an empty test-email --to is refused before anything is read or sent', async () => {
  for (const args of [['test-email', '--to', ''], ['test-email', '--to']]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /--to is empty/);
  }
});

test('run refuses an output path it could not write before reading the PCE', async () => {
  const r = await runCli(['run', '--save-email', '/nonexistent-dir/x.eml']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--save-email: \/nonexistent-dir is not a folder this user can write to/);
  assert.doesNotMatch(r.stderr, /internal error/);
});

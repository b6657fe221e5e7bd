/**
 * Found by a user: a hostname or an error body from the PCE could carry
 * terminal escape sequences straight to the operator's screen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { safeForTerminal } from '../src/output.js';
import { runCli } from './helpers/cli.js';
import { event } from './helpers/records.js';

test('control characters are shown, not obeyed; newlines and tabs stay', () => {
  assert.equal(safeForTerminal('a\u001b[31mb\n\tc\u0007\u009b]0;x'), 'a\\x1b[31mb\n\tc\\x07\\x9b]0;x');
});

test('rules test prints a hostile hostname without its escape sequences', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-tty-'));
  await fs.writeFile(path.join(dir, 's'), 'z'.repeat(64), { mode: 0o600 });
  const config = path.join(dir, 'c.json');
  const init = await runCli(['config', 'init', '--config', config, '--pce-url', 'https://pce.example.com:8443', '--org-id', '1',
    '--api-key', 'api_1a2b3c4d5e6f7a8b9', '--api-secret-file', 's', '--email-from', 'm@example.com', '--email-to', 'soc@example.com', '--smtp-host', 'localhost']);
  assert.equal(init.code, 0, init.stderr);
  const hostile = 'evil\u001b]0;pwned\u0007\u001b[2J.example.com';
  await fs.writeFile(path.join(dir, 'events.json'), JSON.stringify([event('agent.tampering', Date.parse('2026-01-01T00:00:00Z'), { host: hostile })]));

  const r = await runCli(['rules', 'test', '--config', config, '--events', path.join(dir, 'events.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes('evil\\x1b]0;pwned\\x07\\x1b[2J.example.com'), r.stdout);
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(r.stdout + r.stderr), 'no raw control character in the output');
});

test('a line break or a bidi override in a PCE string cannot forge a line or reverse text', async () => {
  const { printable } = await import('../src/util/printable.js');
  assert.equal(printable('db01\nFIRES fake-rule\r\u202etxt.exe'), 'db01\\x0aFIRES fake-rule\\x0d\\u202etxt.exe');
  assert.equal(safeForTerminal('a\u202eb\u2066c'), 'a\\u202eb\\u2066c');

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-tty-'));
  await fs.writeFile(path.join(dir, 's'), 'z'.repeat(64), { mode: 0o600 });
  const config = path.join(dir, 'c.json');
  await runCli(['config', 'init', '--config', config, '--pce-url', 'https://pce.example.com:8443', '--org-id', '1',
    '--api-key', 'api_1a2b3c4d5e6f7a8b9', '--api-secret-file', 's', '--email-from', 'm@example.com', '--email-to', 'soc@example.com', '--smtp-host', 'localhost']);
  const host = 'evil.example.com\nFIRES forged-rule\u202e';
  await fs.writeFile(path.join(dir, 'events.json'), JSON.stringify([event('agent.tampering', Date.parse('2026-01-01T00:00:00Z'), { host })]));
  const r = await runCli(['rules', 'test', '--config', config, '--events', path.join(dir, 'events.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes('evil.example.com\\x0aFIRES forged-rule\\u202e'), r.stdout);
  assert.doesNotMatch(r.stdout, /^FIRES forged-rule/m);
});

/**
 * `state show` and `state compact` through the built CLI, as cron and
 * scripts run them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StateFile } from '../src/types.js';
import { runCli } from './helpers/cli.js';

const MIN = 60_000;
const SECRET = 'a'.repeat(64);

async function setup(state: StateFile | string) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-state-cli-'));
  const config = {
    pce: { url: 'https://127.0.0.1:1', orgId: 1, apiKey: 'api_1a2b3c4d5e6f7a8b9' },
    email: { from: 'monitor@example.com', to: ['soc@example.com'], smtp: { host: '127.0.0.1', port: 2525 } },
    rules: [
      { id: 'tamper', name: 'Agent tampering', type: 'event', eventTypes: ['agent.tampering'], threshold: 5, windowMinutes: 10, cooldownMinutes: 30, severity: 'critical' },
      { id: 'smb', name: 'Blocked SMB', type: 'traffic', policyDecisions: ['blocked'], port: 445, threshold: 10, windowMinutes: 10, cooldownMinutes: 30, severity: 'high' },
    ],
  };
  const file = path.join(dir, 'illumio-monitor.json');
  await fs.writeFile(file, JSON.stringify(config), { mode: 0o600 });
  const stateFile = path.join(dir, 'illumio-monitor.state.json');
  await fs.writeFile(stateFile, typeof state === 'string' ? state : JSON.stringify(state), { mode: 0o600 });
  const cli = (...args: string[]) => runCli([...args, '--config', file], { env: { ILLUMIO_API_SECRET: SECRET }, cwd: os.tmpdir() });
  return { dir, stateFile, cli };
}

function stateAt(now: number): StateFile {
  return {
    version: 1,
    eventsCheckpoint: new Date(now - MIN).toISOString(),
    seenEvents: { '/orgs/1/events/a': now - 2 * MIN, '/orgs/1/events/old': now - 5 * 3600_000 },
    rules: {
      tamper: { buckets: [[Math.floor((now - 3 * 3600_000) / MIN) * MIN, 7], [Math.floor((now - MIN) / MIN) * MIN, 3]], newSinceAlert: 3, lastAlertAt: new Date(now - 10 * MIN).toISOString() },
      gone: { buckets: [[Math.floor((now - MIN) / MIN) * MIN, 9]], newSinceAlert: 9 },
    },
    outbox: [{ id: 'm1', createdAt: new Date(now - 5 * MIN).toISOString(), attempts: 1, lastError: 'connection refused', ruleIds: ['tamper'], raw: 'Subject: t\r\n\r\nx', envelope: { from: 'monitor@example.com', to: ['soc@example.com'] } }],
  };
}

test('state show --json reports window counts, cooldowns, the outbox and the file size', async () => {
  const now = Date.now();
  const env = await setup(stateAt(now));
  const r = await env.cli('state', 'show', '--json');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);

  assert.equal(s.bytes, (await fs.stat(env.stateFile)).size);
  assert.equal(s.eventsCheckpoint, new Date(now - MIN).toISOString());
  assert.equal(s.seenEvents, 2);
  const tamper = s.rules.find((x: { id: string }) => x.id === 'tamper');
  assert.deepEqual(
    [tamper.windowCount, tamper.newSinceAlert, tamper.lastAlertAt, tamper.cooldownRemainingMinutes, tamper.pendingDelivery],
    [3, 3, new Date(now - 10 * MIN).toISOString(), 20, true],
  );
  assert.equal(s.rules.find((x: { id: string }) => x.id === 'smb').windowCount, null);
  assert.deepEqual(s.unconfiguredRules, ['gone']);
  assert.deepEqual(s.outbox.map((m: { id: string; attempts: number }) => [m.id, m.attempts]), [['m1', 1]]);

  const text = await env.cli('state', 'show');
  assert.equal(text.code, 0);
  assert.match(text.stdout, /tamper \[event\] \(alert waiting for delivery\): 3\/5 in 10 min, last alert .*, cooldown 20 min left/);
  assert.match(text.stdout, /Outbox: 1 message\(s\) waiting for delivery/);
});

test('state compact shrinks the file and reports the sizes before and after', async () => {
  const now = Date.now();
  const env = await setup(stateAt(now));
  const before = (await fs.stat(env.stateFile)).size;

  const r = await env.cli('state', 'compact', '--json');
  assert.equal(r.code, 0, r.stderr);
  const after = (await fs.stat(env.stateFile)).size;
  assert.deepEqual(JSON.parse(r.stdout), { file: env.stateFile, bytesBefore: before, bytesAfter: after });
  assert.ok(after < before);

  const state = JSON.parse(await fs.readFile(env.stateFile, 'utf8')) as StateFile;
  assert.deepEqual(Object.keys(state.rules), ['tamper']);
  assert.equal(state.rules.tamper?.buckets.length, 1);
  assert.deepEqual(Object.keys(state.seenEvents), ['/orgs/1/events/a']);
  assert.equal(state.outbox.length, 1, 'mail waiting for delivery is never dropped');
  await assert.rejects(fs.access(`${env.stateFile}.lock`), 'the lock is released');
});

test('state compact while a run holds the lock exits 75 at once and changes nothing', async () => {
  const env = await setup(stateAt(Date.now()));
  const before = await fs.readFile(env.stateFile);
  await fs.writeFile(`${env.stateFile}.lock`, JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() }));

  const r = await env.cli('state', 'compact');
  assert.equal(r.code, 75);
  assert.match(r.stderr, /held by process/);
  assert.deepEqual(await fs.readFile(env.stateFile), before);
});

test('state show on a corrupt state without a backup fails (exit 1) and moves nothing', async () => {
  const env = await setup('{"version":');
  const r = await env.cli('state', 'show');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /state file .* is not valid/);
  assert.equal(await fs.readFile(env.stateFile, 'utf8'), '{"version":');
  assert.ok(!r.stderr.includes(SECRET));
});

/**
 * `rules list|add|remove|enable|disable|load-defaults` through the built CLI:
 * round trips with exact ids, idempotent defaults, and refusals that change
 * nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';

const DEFAULT_IDS = [
  'agent-tampering', 'agent-offline', 'agent-missed-heartbeats', 'agent-suspended', 'agent-clone-detected',
  'api-auth-failures', 'console-login-failures', 'pce-health', 'blocked-traffic', 'potentially-blocked-traffic',
];

const USER_RULE = {
  id: 'my-rule', name: 'Mine', type: 'event', eventTypes: ['agent.goodbye'],
  threshold: 2, windowMinutes: 30, cooldownMinutes: 15, severity: 'low',
};

async function setup(rules: unknown[] = []): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-rules-'));
  const file = path.join(dir, 'illumio-monitor.json');
  const config = {
    pce: { url: 'https://pce.example.com:8443', orgId: 1, apiKey: 'api_1a2b3c', apiSecretFile: 'pce-secret' },
    email: { from: 'monitor@example.com', to: ['soc@example.com'], smtp: { host: 'localhost' } },
    rules,
  };
  await fs.writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return file;
}

async function rulesIn(file: string): Promise<Record<string, unknown>[]> {
  return JSON.parse(await fs.readFile(file, 'utf8')).rules;
}

function cli(file: string, args: string[]) {
  return runCli([...args, '--config', file]);
}

test('load-defaults adds the set once, keeps user rules, and adds nothing the second time', async () => {
  const file = await setup([USER_RULE]);

  const first = await cli(file, ['rules', 'load-defaults', '--json']);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(JSON.parse(first.stdout), { ok: true, added: DEFAULT_IDS, kept: ['my-rule'], removed: [] });
  assert.deepEqual((await rulesIn(file)).map((r) => r.id), ['my-rule', ...DEFAULT_IDS]);

  const before = await fs.readFile(file, 'utf8');
  const second = await cli(file, ['rules', 'load-defaults', '--json']);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(JSON.parse(second.stdout), { ok: true, added: [], kept: ['my-rule', ...DEFAULT_IDS], removed: [] });
  assert.equal(await fs.readFile(file, 'utf8'), before);

  const text = await cli(file, ['rules', 'load-defaults']);
  assert.match(text.stdout, /^added nothing/);
});

test('load-defaults --replace drops user rules and resets changed defaults', async () => {
  const file = await setup([USER_RULE, { id: 'agent-tampering', name: 'Changed', type: 'event', eventTypes: ['agent.tampering'], threshold: 9, windowMinutes: 10, cooldownMinutes: 30, severity: 'low' }]);

  const r = await cli(file, ['rules', 'load-defaults', '--replace', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { ok: true, added: DEFAULT_IDS.slice(1), kept: ['agent-tampering'], removed: ['my-rule'] });

  const rules = await rulesIn(file);
  assert.deepEqual(rules.map((x) => x.id), DEFAULT_IDS);
  assert.equal(rules[0]?.threshold, 1);
});

test('add, list, disable, enable and remove round-trip through the file', async () => {
  const file = await setup([USER_RULE]);

  const add = await cli(file, ['rules', 'add', '--id', 'blocked-smb', '--name', 'Blocked SMB', '--type', 'traffic',
    '--decision', 'blocked', '--decision', 'potentially_blocked', '--port', '445', '--proto', 'TCP',
    '--src-label', 'env=prod', '--dst-ip', '10.0.0.0/8', '--exclude-src-ip', '10.0.5.20',
    '--threshold', '10', '--window', '15', '--cooldown', '45', '--severity', 'high', '--json']);
  assert.equal(add.code, 0, add.stderr);
  const expected = {
    id: 'blocked-smb', name: 'Blocked SMB', type: 'traffic', policyDecisions: ['blocked', 'potentially_blocked'],
    port: 445, proto: 'tcp', srcLabels: ['env=prod'], dstIps: ['10.0.0.0/8'], excludeSrcIps: ['10.0.5.20'],
    threshold: 10, windowMinutes: 15, cooldownMinutes: 45, severity: 'high',
  };
  assert.deepEqual(JSON.parse(add.stdout), { ok: true, added: ['blocked-smb'], rule: expected });
  assert.deepEqual((await rulesIn(file))[1], expected);

  const list = await cli(file, ['rules', 'list', '--json']);
  assert.deepEqual(JSON.parse(list.stdout), [{ ...USER_RULE, enabled: true }, { ...expected, enabled: true }]);

  const table = (await cli(file, ['rules', 'list'])).stdout.split('\n');
  assert.match(table[0] ?? '', /^ID\s+TYPE\s+SEVERITY\s+THRESHOLD\/WINDOW\s+COOLDOWN\s+ENABLED\s+NAME$/);
  assert.match(table[2] ?? '', /^blocked-smb\s+traffic\s+high\s+10 in 15m\s+45m\s+yes\s+Blocked SMB$/);

  assert.equal((await cli(file, ['rules', 'disable', 'blocked-smb'])).code, 0);
  assert.equal((await rulesIn(file))[1]?.enabled, false);
  assert.match((await cli(file, ['rules', 'list'])).stdout, /blocked-smb\s+traffic\s+high\s+10 in 15m\s+45m\s+no/);
  assert.equal((await cli(file, ['rules', 'enable', 'blocked-smb'])).code, 0);
  assert.equal('enabled' in ((await rulesIn(file))[1] ?? {}), false);

  const remove = await cli(file, ['rules', 'remove', 'blocked-smb', 'my-rule', '--json']);
  assert.equal(remove.code, 0, remove.stderr);
  assert.deepEqual(JSON.parse(remove.stdout), { ok: true, removed: ['blocked-smb', 'my-rule'] });
  assert.deepEqual(await rulesIn(file), []);
});

test('an event rule from flags, added disabled', async () => {
  const file = await setup();
  const r = await cli(file, ['rules', 'add', '--id', 'api-keys', '--type', 'event', '--event-type', 'api_key.*',
    '--event-type', 'service_account.*', '--status', 'success', '--pce-severity', 'info', '--disabled']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await rulesIn(file), [{
    id: 'api-keys', name: 'api-keys', type: 'event', eventTypes: ['api_key.*', 'service_account.*'], status: 'success',
    pceSeverities: ['info'], threshold: 1, windowMinutes: 10, cooldownMinutes: 30, severity: 'medium', enabled: false,
  }]);
});

test('a duplicate id, an invalid rule and misplaced flags are refused without writing', async () => {
  const file = await setup([USER_RULE]);
  const before = await fs.readFile(file, 'utf8');

  const dup = await cli(file, ['rules', 'add', '--id', 'my-rule', '--type', 'health']);
  assert.equal(dup.code, 2);
  assert.match(dup.stderr, /rule id 'my-rule' already exists/);

  const bad = await cli(file, ['rules', 'add', '--id', 'bad', '--type', 'traffic', '--decision', 'blocked',
    '--src-ip', '10.0.0.1/8', '--src-label', 'prod', '--threshold', '0', '--port', 'http']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--src-ip #1: '10\.0\.0\.1\/8' has host bits set; did you mean 10\.0\.0\.0\/8\?/);
  assert.match(bad.stderr, /--src-label #1: 'prod' is not a label/);
  assert.match(bad.stderr, /--threshold: must be >= 1/);
  assert.match(bad.stderr, /--port: must be a whole number/);

  const missing = await cli(file, ['rules', 'add', '--id', 'ev', '--type', 'event']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--event-type: is required/);

  const misplaced = await cli(file, ['rules', 'add', '--id', 'x', '--type', 'event', '--event-type', 'agent.*', '--port', '22']);
  assert.equal(misplaced.code, 2);
  assert.match(misplaced.stderr, /--port cannot be used with --type event/);

  assert.equal(await fs.readFile(file, 'utf8'), before);
});

test('remove or disable of an unknown id suggests the nearest and changes nothing', async () => {
  const file = await setup([USER_RULE]);
  const before = await fs.readFile(file, 'utf8');

  const r = await cli(file, ['rules', 'remove', 'my-rule', 'my-rul']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no rule with id 'my-rul' \(did you mean 'my-rule'\?\); nothing was changed/);

  const d = await cli(file, ['rules', 'disable', 'nothing-like-it']);
  assert.equal(d.code, 2);
  assert.match(d.stderr, /no rule with id 'nothing-like-it'; nothing was changed/);

  assert.equal(await fs.readFile(file, 'utf8'), before);
});

test('rules list on an empty set points at load-defaults', async () => {
  const file = await setup();
  const r = await cli(file, ['rules', 'list']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rules load-defaults/);
  assert.deepEqual(JSON.parse((await cli(file, ['rules', 'list', '--json'])).stdout), []);
});

/**
 * validateConfig and readConfigFile: schema problems with their paths and a
 * did-you-mean for unknown keys, the semantic checks, the default rules, and
 * JSON syntax errors reported by line and column without quoting the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateConfig } from '../src/config/validate.js';
import { readConfigFile } from '../src/config/read.js';
import { defaultRules } from '../src/rules/defaults.js';
import { ConfigError, MonitorError } from '../src/errors.js';
import { repoRoot } from './helpers/cli.js';

function base(): Record<string, any> {
  return {
    pce: { url: 'https://pce.example.com:8443', orgId: 1, apiKey: 'api_1a2b3c', apiSecretFile: 'secret' },
    email: { from: 'monitor@example.com', to: ['soc@example.com'], smtp: { host: 'localhost' } },
    rules: [],
  };
}

function eventRule(id: string, extra: Record<string, unknown> = {}) {
  return { id, name: id, type: 'event', eventTypes: ['agent.tampering'], threshold: 1, windowMinutes: 10, cooldownMinutes: 30, severity: 'high', ...extra };
}

function trafficRule(id: string, extra: Record<string, unknown> = {}) {
  return { id, name: id, type: 'traffic', policyDecisions: ['blocked'], threshold: 10, windowMinutes: 10, cooldownMinutes: 30, severity: 'high', ...extra };
}

test('a minimal config and the shipped example validate', async () => {
  assert.deepEqual(validateConfig(base()), []);
  const example = JSON.parse(await fs.readFile(path.join(repoRoot, 'examples', 'illumio-monitor.example.json'), 'utf8'));
  assert.deepEqual(validateConfig(example), []);
});

test('unknown keys name the nearest valid key, with their path', () => {
  const cfg = base();
  cfg.email.smtpp = { host: 'x' };
  cfg.pce.orgid = 2;
  cfg.rules = [trafficRule('r1', { porrt: 445 })];

  const problems = validateConfig(cfg);
  assert.ok(problems.some((p) => p.path === '/email/smtpp' && p.message === "unknown key 'smtpp' – did you mean 'smtp'?"));
  assert.ok(problems.some((p) => p.path === '/pce/orgid' && p.message === "unknown key 'orgid' – did you mean 'orgId'?"));
  assert.ok(problems.some((p) => p.path === '/rules/0/porrt' && p.message === "unknown key 'porrt' – did you mean 'port'?"));
});

test('an unknown key far from every valid one lists the allowed keys', () => {
  const cfg = base();
  cfg.monitor = { zzzzzzzz: 1 };
  const [problem] = validateConfig(cfg);
  assert.equal(problem?.path, '/monitor/zzzzzzzz');
  assert.match(problem?.message ?? '', /^unknown key 'zzzzzzzz' – allowed here: overlapMinutes, firstRunLookbackMinutes,/);
});

test('wrong types, ranges, enums and missing keys each get one line with the path', () => {
  const cfg = base();
  cfg.email.smtp.port = '25';
  cfg.email.to = ['soc@example.com', 'not-an-address'];
  cfg.email.language = 'de';
  cfg.monitor = { eventsPageSize: 20000 };
  delete cfg.pce.orgId;
  cfg.rules = [trafficRule('r1', { proto: 'gre' })];

  const byPath = new Map(validateConfig(cfg).map((p) => [p.path, p.message]));
  assert.equal(byPath.get('/email/smtp/port'), 'must be a whole number');
  assert.equal(byPath.get('/email/to/1'), 'must be an email address, e.g. soc@example.com');
  assert.equal(byPath.get('/email/language'), 'must be one of: en, zh-TW');
  assert.equal(byPath.get('/monitor/eventsPageSize'), 'must be <= 10000');
  assert.match(byPath.get('/pce/orgId') ?? '', /^is required: Organisation id/);
  // anyOf (tcp|udp|icmp or a number) gives one line, not one per branch.
  assert.equal(validateConfig(cfg).filter((p) => p.path === '/rules/0/proto').length, 1);
  assert.equal(byPath.size, 6);
});

test('a rule of an unknown type and a bad rule id are reported at their paths', () => {
  const cfg = base();
  cfg.rules = [{ ...eventRule('x'), type: 'evnt' }, eventRule('Bad Id')];
  const byPath = new Map(validateConfig(cfg).map((p) => [p.path, p.message]));
  assert.equal(byPath.get('/rules/0/type'), 'must be event, traffic or health');
  assert.match(byPath.get('/rules/1/id') ?? '', /^must be a slug/);
});

test('semantic checks: duplicate ids, addresses, labels, globs, secrets given twice, time zone', () => {
  const cfg = base();
  cfg.pce.apiSecret = 'also-here';
  cfg.email.timeZone = 'Mars/Olympus';
  cfg.rules = [
    eventRule('dup'),
    trafficRule('dup', { srcIps: ['10.0.0.5/8', '10.1.2'], dstIps: ['fd00::/8', '192.168.1.7'], srcLabels: ['env'] }),
    eventRule('globs', { eventTypes: ['*', 'agent', 'agent.*', 'user.sign_in'] }),
  ];

  const problems = validateConfig(cfg);
  const byPath = new Map(problems.map((p) => [p.path, p.message]));
  assert.equal(byPath.get('/rules/1/id'), "duplicate rule id 'dup' (also /rules/0); ids must be unique");
  assert.equal(byPath.get('/rules/1/srcIps/0'), "'10.0.0.5/8' has host bits set; did you mean 10.0.0.0/8?");
  assert.match(byPath.get('/rules/1/srcIps/1') ?? '', /is not an IP address or CIDR block/);
  assert.match(byPath.get('/rules/1/srcLabels/0') ?? '', /write key=value/);
  assert.match(byPath.get('/rules/2/eventTypes/0') ?? '', /would match every event/);
  assert.match(byPath.get('/rules/2/eventTypes/1') ?? '', /look like resource\.verb/);
  assert.match(byPath.get('/pce/apiSecret') ?? '', /given twice/);
  assert.match(byPath.get('/email/timeZone') ?? '', /not an IANA time zone/);
  assert.equal(problems.length, 8, JSON.stringify(problems, null, 2));
});

test('every default rule validates, with the documented ids and settings', () => {
  const rules = defaultRules();
  assert.deepEqual(rules.map((r) => r.id), [
    'agent-tampering', 'agent-offline', 'agent-missed-heartbeats', 'agent-suspended', 'agent-clone-detected',
    'api-auth-failures', 'console-login-failures', 'pce-health', 'blocked-traffic', 'potentially-blocked-traffic',
  ]);
  for (const rule of rules) assert.deepEqual(validateConfig({ ...base(), rules: [rule] }), [], rule.id);
  assert.deepEqual(validateConfig({ ...base(), rules }), []);

  const byId = new Map(rules.map((r) => [r.id, r]));
  assert.deepEqual(byId.get('agent-tampering'), { ...byId.get('agent-tampering'), type: 'event', eventTypes: ['agent.tampering'], threshold: 1, severity: 'critical' });
  assert.deepEqual(byId.get('agent-offline'), { ...byId.get('agent-offline'), eventTypes: ['system_task.agent_offline_check'], threshold: 1, severity: 'high' });
  assert.deepEqual(byId.get('console-login-failures'), { ...byId.get('console-login-failures'), eventTypes: ['user.sign_in', 'user.login'], status: 'failure', threshold: 5, windowMinutes: 10 });
  assert.deepEqual(byId.get('api-auth-failures'), { ...byId.get('api-auth-failures'), eventTypes: ['request.authentication_failed'], threshold: 5, windowMinutes: 10 });
  assert.deepEqual(byId.get('blocked-traffic'), { ...byId.get('blocked-traffic'), policyDecisions: ['blocked'], threshold: 10, windowMinutes: 10 });
  assert.deepEqual(byId.get('potentially-blocked-traffic'), { ...byId.get('potentially-blocked-traffic'), policyDecisions: ['potentially_blocked'], threshold: 10, windowMinutes: 10 });
  assert.equal(byId.get('pce-health')?.type, 'health');

  // defaultRules() hands out copies: changing one does not change the next.
  rules[0]!.threshold = 99;
  assert.equal(defaultRules()[0]!.threshold, 1);
});

test('a JSON syntax error names line and column and never quotes the file', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-cfg-'));
  const file = path.join(dir, 'c.json');
  const lines = ['{', '  "pce": {', '    "apiSecret": "hunter2-very-secret"', '    "url": "x"', '  }', '}'];
  await fs.writeFile(file, lines.join('\n'));

  // The missing comma is noticed where "url" starts: line 4, after its 4 spaces.
  const err = await readConfigFile(file).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ConfigError);
  assert.equal(err.code, 'CONFIG_SYNTAX');
  assert.equal(err.exitCode, 2);
  assert.match(err.message, /line 4, column 5/);
  assert.ok(!err.message.includes('hunter2'));
});

test('a syntax error V8 gives no position for is still located', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-cfg-'));
  const file = path.join(dir, 'c.json');
  await fs.writeFile(file, '{\n  "rules": [1, 2,]\n}\n');
  const err = await readConfigFile(file).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ConfigError);
  assert.match(err.message, /line 2, column 18: a trailing comma/);
});

test('a missing config file says how to create one', async () => {
  const file = path.join(os.tmpdir(), `imon-missing-${process.pid}.json`);
  const err = await readConfigFile(file).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof MonitorError);
  assert.equal(err.code, 'CONFIG_NOT_FOUND');
  assert.equal(err.exitCode, 2);
  assert.match(err.hint ?? '', /illumio-monitor config init/);
});

test('readConfigFile lists every problem of an invalid config in one error', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-cfg-'));
  const file = path.join(dir, 'c.json');
  const cfg = base();
  cfg.email.smtp.port = 0;
  cfg.rules = [eventRule('a'), eventRule('a')];
  await fs.writeFile(file, JSON.stringify(cfg));

  const err = await readConfigFile(file).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ConfigError);
  assert.deepEqual(err.problems.map((p) => p.path), ['/email/smtp/port', '/rules/1/id']);
  assert.match(err.message, /\/email\/smtp\/port: must be >= 1/);
});

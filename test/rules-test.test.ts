/**
 * `rules test`: the configured rules evaluated offline against saved
 * records, through the built CLI. Counts are computed here from the
 * fixture; the last test replays a real run saved with --save-records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPceSimulator } from '../src/sim/pce-simulator.js';
import { startSmtpCapture } from '../src/sim/smtp-capture.js';
import type { Rule } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { event, flow } from './helpers/records.js';

const T0 = Date.UTC(2025, 2, 4, 12, 0, 0);
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const RULES: Rule[] = [
  { id: 'agent-tampering', name: 'Agent tampering', type: 'event', eventTypes: ['agent.tampering'], threshold: 1, windowMinutes: 10, cooldownMinutes: 30, severity: 'critical' },
  { id: 'auth-failures', name: 'API auth failures', type: 'event', eventTypes: ['request.authentication_failed'], threshold: 5, windowMinutes: 10, cooldownMinutes: 30, severity: 'high' },
  { id: 'blocked-smb', name: 'Blocked SMB', type: 'traffic', policyDecisions: ['blocked'], port: 445, proto: 'tcp', threshold: 10, windowMinutes: 10, cooldownMinutes: 30, severity: 'high' },
  { id: 'pb-ssh', name: 'Potentially blocked SSH', type: 'traffic', policyDecisions: ['potentially_blocked'], port: 22, threshold: 100, windowMinutes: 60, cooldownMinutes: 30, severity: 'medium' },
  { id: 'pce-health', name: 'PCE health', type: 'health', threshold: 1, windowMinutes: 10, cooldownMinutes: 60, severity: 'critical' },
  { id: 'old-rule', name: 'Switched off', type: 'event', eventTypes: ['agent.*'], threshold: 1, windowMinutes: 10, cooldownMinutes: 30, severity: 'low', enabled: false },
];

/** Tampering: 2 in the window (+1 older); auth failures: 4 (below 5); SMB 30+12 in the window (+100 older); SSH 7. */
function fixture() {
  const events = [
    event('agent.tampering', T0 - 2 * MIN, { host: 'app01.example.com' }),
    event('agent.tampering', T0 - 5 * MIN, { host: 'app01.example.com' }),
    event('agent.tampering', T0 - 45 * MIN, { host: 'old.example.com' }),
    ...[1, 2, 3, 4].map((i) => event('request.authentication_failed', T0 - i * MIN)),
    event('user.logout', T0 - MIN),
  ];
  const flows = [
    flow({ src: '10.0.0.5', srcHost: 'web01.example.com', dst: '10.0.1.9', dstHost: 'db01.example.com', port: 445, connections: 30, lastSeen: T0 - 3 * MIN }),
    flow({ src: '10.0.0.6', dst: '10.0.1.9', dstHost: 'db01.example.com', port: 445, connections: 12, lastSeen: T0 }),
    flow({ src: '10.0.0.8', dst: '10.0.1.9', port: 445, connections: 100, lastSeen: T0 - 30 * MIN }),
    flow({ src: '10.0.0.7', dst: '10.0.2.2', port: 22, connections: 7, decision: 'potentially_blocked', lastSeen: T0 - 20 * MIN }),
  ];
  return { events, flows };
}

async function workspace(rules: Rule[] = RULES) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-rules-test-'));
  const config = {
    pce: { url: 'https://pce.example.com:8443', orgId: 1, apiKey: 'api_0123456789abcdef0' },
    email: { from: 'monitor@example.com', to: ['soc@example.com'], smtp: { host: '127.0.0.1' } },
    rules,
  };
  const file = path.join(dir, 'illumio-monitor.json');
  await fs.writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return { dir, file };
}

interface Verdict {
  ruleId: string;
  verdict: string;
  count: number;
  matched: number;
  windowStart: string;
  windowEnd: string;
  topTalkers: { label: string; count: number }[];
}

test('per rule: verdict, exact counts, window and talkers; JSON arrays and record-log lines read alike', async () => {
  const ws = await workspace();
  const { events, flows } = fixture();
  const eventsFile = path.join(ws.dir, 'events.json');
  const flowsFile = path.join(ws.dir, 'flows.jsonl');
  await fs.writeFile(eventsFile, JSON.stringify(events));
  // The logs/*.jsonl form: one {record} line per flow.
  await fs.writeFile(flowsFile, flows.map((f) => JSON.stringify({ record: f })).join('\n') + '\n');

  const r = await runCli(['rules', 'test', '--json', '--config', ws.file, '--events', eventsFile, '--flows', flowsFile, '--now', iso(T0)]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { now: string; events: number; flows: number; firing: number; rules: Verdict[] };
  assert.deepEqual([out.now, out.events, out.flows, out.firing], [iso(T0), events.length, flows.length, 2]);

  const got = Object.fromEntries(out.rules.map((v) => [v.ruleId, [v.verdict, v.count, v.matched]]));
  assert.deepEqual(got, {
    'agent-tampering': ['fires', 2, 2],
    'auth-failures': ['below-threshold', 4, 4],
    'blocked-smb': ['fires', 30 + 12, 2],
    'pb-ssh': ['below-threshold', 7, 1],
    'pce-health': ['not-evaluated', 0, 0],
    'old-rule': ['disabled', 0, 0],
  });

  const smb = out.rules.find((v) => v.ruleId === 'blocked-smb')!;
  assert.deepEqual([smb.windowStart, smb.windowEnd], [iso(T0 - 10 * MIN), iso(T0)]);
  assert.deepEqual(smb.topTalkers.map((t) => [t.label, t.count]), [
    ['web01.example.com (10.0.0.5) -> db01.example.com (10.0.1.9) 445/tcp', 30],
    ['10.0.0.6 -> db01.example.com (10.0.1.9) 445/tcp', 12],
  ]);
  const tamper = out.rules.find((v) => v.ruleId === 'agent-tampering')!;
  assert.deepEqual(tamper.topTalkers.map((t) => [t.label, t.count]), [['app01.example.com', 2]]);
});

test('text output: one line per rule with its reason and window, talkers indented, a summary', async () => {
  const ws = await workspace();
  const { events, flows } = fixture();
  await fs.writeFile(path.join(ws.dir, 'events.json'), JSON.stringify(events));
  await fs.writeFile(path.join(ws.dir, 'flows.json'), JSON.stringify(flows));

  const r = await runCli(['rules', 'test', '--config', ws.file, '--events', 'events.json', '--flows', 'flows.json', '--now', iso(T0)], { cwd: ws.dir });
  assert.equal(r.code, 0, r.stderr);
  const w10 = `10 min window ${iso(T0 - 10 * MIN)} .. ${iso(T0)}`;
  assert.equal(r.stdout, [
    `as of ${iso(T0)}: ${events.length} events, ${flows.length} flows`,
    `FIRES agent-tampering (event): 2 >= threshold 1 in the ${w10}`,
    '        2  app01.example.com',
    `quiet auth-failures (event): 4 < threshold 5 in the ${w10}`,
    '        4  system',
    `FIRES blocked-smb (traffic): 42 >= threshold 10 in the ${w10}`,
    '        30  web01.example.com (10.0.0.5) -> db01.example.com (10.0.1.9) 445/tcp',
    '        12  10.0.0.6 -> db01.example.com (10.0.1.9) 445/tcp',
    `quiet pb-ssh (traffic): 7 < threshold 100 in the 60 min window ${iso(T0 - 60 * MIN)} .. ${iso(T0)}`,
    '        7  10.0.0.7 -> 10.0.2.2 22/tcp',
    'skip  pce-health (health): health is checked live only (run or doctor)',
    'off   old-rule (event): disabled in the config',
    '2 of 6 rules would fire.',
    '',
  ].join('\n'));
});

test('--now defaults to the newest record; --fail-on-alert exits 3; only --events leaves traffic rules unevaluated', async () => {
  const ws = await workspace(RULES.filter((r) => r.type !== 'health'));
  const { events, flows } = fixture();
  await fs.writeFile(path.join(ws.dir, 'events.json'), JSON.stringify(events));
  await fs.writeFile(path.join(ws.dir, 'flows.json'), JSON.stringify(flows));

  // Newest record: the 10.0.0.6 flow at T0.
  const both = await runCli(['rules', 'test', '--json', '--fail-on-alert', '--config', ws.file, '--events', 'events.json', '--flows', 'flows.json'], { cwd: ws.dir });
  assert.equal(both.code, 3, both.stderr);
  assert.equal(JSON.parse(both.stdout).now, iso(T0));

  // Events only: newest is the logout at T0 - 1 min, so the window moves with it.
  const only = await runCli(['rules', 'test', '--json', '--config', ws.file, '--events', 'events.json'], { cwd: ws.dir });
  assert.equal(only.code, 0, only.stderr);
  const out = JSON.parse(only.stdout) as { now: string; rules: (Verdict & { reason: string })[] };
  assert.equal(out.now, iso(T0 - MIN));
  const smb = out.rules.find((v) => v.ruleId === 'blocked-smb')!;
  assert.deepEqual([smb.verdict, smb.reason], ['not-evaluated', 'no --flows file given']);
  assert.equal(out.rules.find((v) => v.ruleId === 'agent-tampering')!.count, 2);
});

test('usage errors: no record file, a bad --now, a file that is not JSON (exit 2, one line each)', async () => {
  const ws = await workspace();
  await fs.writeFile(path.join(ws.dir, 'broken.jsonl'), '{"record": {}}\nnot json\n');

  const none = await runCli(['rules', 'test', '--config', ws.file]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /error: rules test needs --events FILE, --flows FILE or both/);

  await fs.writeFile(path.join(ws.dir, 'events.json'), '[]');
  const badNow = await runCli(['rules', 'test', '--config', ws.file, '--events', path.join(ws.dir, 'events.json'), '--now', 'yesterday']);
  assert.equal(badNow.code, 2);
  assert.match(badNow.stderr, /error: --now yesterday is not a time\n/);

  const broken = await runCli(['rules', 'test', '--config', ws.file, '--events', path.join(ws.dir, 'broken.jsonl')]);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, new RegExp(`error: ${path.join(ws.dir, 'broken.jsonl').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 2 is not JSON`));
});

test('run --save-records then rules test on the saved files gives the same alerts as the run', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-replay-'));
  const pce = await startPceSimulator({});
  const smtp = await startSmtpCapture({});
  try {
    await fs.writeFile(path.join(dir, 'secret'), pce.apiSecret, { mode: 0o600 });
    const rules = RULES.filter((r) => r.type !== 'health');
    const config = {
      pce: { url: pce.url, orgId: pce.orgId, apiKey: pce.apiKey, apiSecretFile: 'secret' },
      email: { from: 'monitor@example.com', to: ['soc@example.com'], smtp: { host: '127.0.0.1', port: smtp.port, starttls: 'off' } },
      rules,
    };
    const file = path.join(dir, 'illumio-monitor.json');
    await fs.writeFile(file, JSON.stringify(config), { mode: 0o600 });

    const now = Date.now();
    pce.addEvents([
      ...[1, 2, 3].map((i) => event('agent.tampering', now - i * MIN, { host: `h${i}.example.com` })),
      ...[1, 2, 3, 4, 5, 6].map((i) => event('request.authentication_failed', now - i * 30_000)),
      event('user.logout', now - MIN),
    ]);
    pce.addFlows([
      flow({ src: '10.0.0.5', dst: '10.0.1.9', port: 445, connections: 8, lastSeen: now - 2 * MIN }),
      flow({ src: '10.0.0.6', dst: '10.0.1.9', port: 445, connections: 5, lastSeen: now - 4 * MIN }),
      flow({ src: '10.0.0.7', dst: '10.0.2.2', port: 22, connections: 3, decision: 'potentially_blocked', lastSeen: now - 5 * MIN }),
    ]);

    const saved = path.join(dir, 'saved');
    const run = await runCli(['run', '--json', '--config', file, '--save-records', saved]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { alerts: { ruleId: string; count: number; windowStart: string; windowEnd: string; topTalkers: unknown[] }[] };
    assert.deepEqual(report.alerts.map((a) => [a.ruleId, a.count]), [['agent-tampering', 3], ['auth-failures', 6], ['blocked-smb', 13]]);

    const savedEvents = JSON.parse(await fs.readFile(path.join(saved, 'events.json'), 'utf8')) as unknown[];
    const savedFlows = JSON.parse(await fs.readFile(path.join(saved, 'flows.json'), 'utf8')) as unknown[];
    assert.equal(savedEvents.length, 10, 'every new event of the run');
    assert.equal(savedFlows.length, 3, 'every matched flow of the run');

    const runNow = report.alerts[0]!.windowEnd;
    const replay = await runCli(['rules', 'test', '--json', '--config', file, '--now', runNow,
      '--events', path.join(saved, 'events.json'), '--flows', path.join(saved, 'flows.json')]);
    assert.equal(replay.code, 0, replay.stderr);
    const verdicts = (JSON.parse(replay.stdout) as { rules: Verdict[] }).rules.filter((v) => v.verdict === 'fires');
    // The run report lists talkers as label and count; compare those.
    const talkers = (list: unknown[]) => (list as { label: string; count: number }[]).map((t) => [t.label, t.count]);
    const asRun = report.alerts.map((a) => ({ ruleId: a.ruleId, count: a.count, windowStart: a.windowStart, windowEnd: a.windowEnd, talkers: talkers(a.topTalkers) }));
    const asTest = verdicts.map((v) => ({ ruleId: v.ruleId, count: v.count, windowStart: v.windowStart, windowEnd: v.windowEnd, talkers: talkers(v.topTalkers) }));
    assert.deepEqual(asTest, asRun);
  } finally {
    await pce.close();
    await smtp.close();
  }
});

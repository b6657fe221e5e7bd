/**
 * The main job end to end: PCE simulator + real SMTP server + the built CLI.
 * Expected values are computed here from the records the test itself made.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPceSimulator } from '../src/sim/pce-simulator.js';
import { startSmtpCapture } from '../src/sim/smtp-capture.js';
import { runCli } from './helpers/cli.js';
import { event, flow } from './helpers/records.js';

const HOSTILE = '<img src=x onerror=alert(1)>.evil.example';

async function setup(now?: () => number) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-e2e-'));
  const pce = await startPceSimulator(now ? { now } : {});
  const smtp = await startSmtpCapture({});
  await fs.writeFile(path.join(dir, 'secret'), pce.apiSecret, { mode: 0o600 });
  const config = {
    pce: { url: pce.url, orgId: pce.orgId, apiKey: pce.apiKey, apiSecretFile: 'secret' },
    email: {
      from: 'monitor@example.com',
      to: ['soc@example.com'],
      smtp: { host: '127.0.0.1', port: smtp.port, starttls: 'off' },
    },
    rules: [
      {
        id: 'agent-tampering', name: 'Agent tampering', type: 'event', eventTypes: ['agent.tampering'],
        threshold: 1, windowMinutes: 10, cooldownMinutes: 30, severity: 'critical',
      },
      {
        id: 'blocked-smb', name: 'Blocked SMB', type: 'traffic', policyDecisions: ['blocked'], port: 445,
        proto: 'tcp', threshold: 10, windowMinutes: 10, cooldownMinutes: 30, severity: 'high',
      },
    ],
  };
  const file = path.join(dir, 'illumio-monitor.json');
  await fs.writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return { dir, pce, smtp, file, close: async () => { await pce.close(); await smtp.close(); } };
}

test('run mails what fired, with counts, talkers, raw records and escaping; a second run sends nothing', async () => {
  const env = await setup();
  try {
    const now = Date.now();
    const tamper = [
      event('agent.tampering', now - 120_000, { host: 'app01.example.com' }),
      event('agent.tampering', now - 90_000, { host: HOSTILE }),
      event('agent.tampering', now - 30_000, { host: 'app01.example.com' }),
    ];
    // Read by the first run's 60-minute look-back but outside the rule's 10-minute window.
    const outside = event('agent.tampering', now - 30 * 60_000, { host: 'outside-window.example.com' });
    const noise = [event('user.logout', now - 60_000), outside, event('agent.tampering', now - 3 * 3600_000, { host: 'old.example.com' })];
    env.pce.addEvents([...tamper, ...noise]);

    // Blocked 445/tcp: 30 + 12 + 7 connections from three talkers; one outside the window; one to port 22.
    const flows = [
      flow({ src: '10.0.0.5', srcHost: 'web01.example.com', srcLabels: { env: 'prod' }, dst: '10.0.1.9', dstHost: 'db01.example.com', port: 445, connections: 30, lastSeen: now - 60_000 }),
      flow({ src: '10.0.0.6', dst: '10.0.1.9', dstHost: 'db01.example.com', port: 445, connections: 12, lastSeen: now - 120_000 }),
      flow({ src: '10.0.0.7', dst: '10.0.1.9', dstHost: 'db01.example.com', port: 445, connections: 7, lastSeen: now - 30_000 }),
      flow({ src: '10.0.0.8', dst: '10.0.1.9', port: 445, connections: 100, lastSeen: now - 3 * 3600_000 }),
      flow({ src: '10.0.0.5', dst: '10.0.1.9', port: 22, connections: 50, lastSeen: now - 60_000 }),
    ];
    env.pce.addFlows(flows);

    const first = await runCli(['run', '--json', '--config', env.file], { cwd: os.tmpdir() });
    assert.equal(first.code, 0, first.stderr);
    const result = JSON.parse(first.stdout);
    const byRule = Object.fromEntries(result.alerts.map((a: { ruleId: string; count: number }) => [a.ruleId, a.count]));
    assert.deepEqual(byRule, { 'agent-tampering': tamper.length, 'blocked-smb': 30 + 12 + 7 });
    assert.equal(result.alerts[0].ruleId, 'agent-tampering', 'critical first');
    assert.equal(result.email.sent, true);
    assert.ok(result.events.fetched >= tamper.length + 1);
    assert.ok(result.traffic.flows >= 4);

    await env.smtp.waitFor(1, 5000);
    assert.equal(env.smtp.messages.length, 1);
    const mail = env.smtp.messages[0]!;
    assert.deepEqual(mail.envelope.to, ['soc@example.com']);
    const html = String(mail.parsed.html);
    const text = mail.parsed.text ?? '';

    // The hostile hostname is escaped, never raw.
    assert.ok(!html.includes('<img src=x'), 'raw markup from the PCE must not reach the HTML');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the escaped hostname is shown');

    // Top talkers of the traffic alert, by connections.
    const order = ['10.0.0.5', '10.0.0.6', '10.0.0.7'].map((ip) => text.indexOf(ip));
    assert.ok(order.every((i) => i >= 0), 'every talker is listed');
    assert.ok(order[0]! < order[1]! && order[1]! < order[2]!, 'talkers ordered by connections');
    assert.ok(!text.includes('10.0.0.8'), 'a flow outside the window is not a talker');

    // The first two raw records (oldest first) are in the mail as JSON.
    assert.ok(text.includes(tamper[0]!.href) && text.includes(tamper[1]!.href));
    assert.ok(!text.includes(tamper[2]!.href), 'only the first two records are shown');
    assert.ok(!text.includes('outside-window.example.com'), 'an event outside the window is neither talker nor sample');
    const csv = mail.parsed.attachments.find((a) => a.filename === 'agent-tampering.csv');
    assert.ok(csv, 'the matched records are attached as CSV');
    const csvText = csv.content.toString('utf8');
    assert.deepEqual(tamper.map((t) => csvText.includes(t.href)), [true, true, true]);
    assert.ok(!csvText.includes(outside.href));

    const second = await runCli(['run', '--json', '--config', env.file], { cwd: os.tmpdir() });
    assert.equal(second.code, 0, second.stderr);
    const again = JSON.parse(second.stdout);
    assert.deepEqual(again.alerts, []);
    assert.equal(again.email.sent, false);
    assert.equal(env.smtp.messages.length, 1, 'nothing new: no second email');
  } finally {
    await env.close();
  }
});

test('state stays bounded: after 200 runs no larger than after 10', async () => {
  let now = Date.now();
  // The simulator follows the fake clock, so its rate limit refills as a real PCE's would.
  const env = await setup(() => now);
  try {
    const { loadConfig } = await import('../src/config/load.js');
    const { runOnce } = await import('../src/run/run.js');
    const { memoryLogger } = await import('../src/output.js');
    const config = await loadConfig(env.file, {});
    const ctx = { clock: { now: () => now, sleep: async () => undefined }, env: {}, log: memoryLogger(), stderrIsTty: false };
    const stateFile = (await loadConfig(env.file, {})).stateFile;
    let sizeAt10 = 0;

    for (let run = 1; run <= 200; run++) {
      now += 5 * 60_000;
      env.pce.addEvents([event('agent.tampering', now - 1000, { host: `h${run % 7}.example.com` }), event('user.logout', now - 500)]);
      const report = await runOnce(config, { dryRun: false }, ctx);
      assert.deepEqual(report.errors, [], `run ${run}`);
      if (run === 10) sizeAt10 = (await fs.stat(stateFile)).size;
    }
    const sizeAt200 = (await fs.stat(stateFile)).size;
    assert.ok(sizeAt200 <= sizeAt10, `state grew from ${sizeAt10} to ${sizeAt200} bytes`);
  } finally {
    await env.close();
  }
});

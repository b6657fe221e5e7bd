/**
 * The alert mail as a reader gets it: rendered, composed, delivered to a
 * real SMTP server on loopback, and read back from the parsed MIME.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSmtpCapture, type SmtpCapture } from '../src/sim/smtp-capture.js';
import type { Alert } from '../src/types.js';
import { deliver } from './helpers/mail-deliver.js';
import {
  HOSTILE_HOST,
  HOSTILE_LABEL,
  HOSTILE_USER,
  blockedFlows,
  coverage,
  emailSettings,
  eventAlert,
  loginFailure,
  renderContext,
  tables,
  tamperEvent,
  trafficAlert,
} from './helpers/mail-fixtures.js';

let capture: SmtpCapture;
before(async () => (capture = await startSmtpCapture()));
after(async () => capture.close());

function threeAlerts(): Alert[] {
  const tamper = eventAlert('Agent tampering', 'critical', [tamperEvent('app01', 1), tamperEvent('app01', 2)], () => 'app01');
  const logins = eventAlert('Console login failures', 'medium', [1, 2, 3, 4, 5].map((i) => loginFailure(HOSTILE_USER, i)), () => HOSTILE_USER);
  // Deliberately not in severity order.
  return [logins, trafficAlert(), tamper];
}

describe('alert mail: subject and order', () => {
  it('names the count and the worst alert, worst first in both parts', async () => {
    const msg = await deliver(capture, threeAlerts(), renderContext(emailSettings(capture.port)));

    assert.equal(msg.parsed.subject, '[Illumio Monitor] 3 alerts - CRITICAL Agent tampering on app01');

    const html = String(msg.parsed.html);
    const order = ['Agent tampering', 'Blocked SMB from prod', 'Console login failures'].map((n) => html.indexOf(`</span> ${n}</h2>`));
    assert.ok(order.every((i) => i > 0), 'every alert has a heading');
    assert.deepEqual([...order].sort((a, b) => a - b), order);

    const text = msg.parsed.text ?? '';
    assert.ok(text.indexOf('== 1. [CRITICAL] Agent tampering') < text.indexOf('== 2. [HIGH] Blocked SMB from prod'));
    assert.ok(text.indexOf('== 2. [HIGH]') < text.indexOf('== 3. [MEDIUM] Console login failures'));
  });

  it('says "1 alert" and names the host of the top talker', async () => {
    const msg = await deliver(capture, [trafficAlert(blockedFlows().slice(2, 3))], renderContext(emailSettings(capture.port)));
    assert.equal(msg.parsed.subject, '[Illumio Monitor] 1 alert - HIGH Blocked SMB from prod on app07');
  });
});

describe('alert mail: escaping', () => {
  it('shows hostile host, label and user names as text, never as markup', async () => {
    const msg = await deliver(capture, threeAlerts(), renderContext(emailSettings(capture.port)));
    const html = String(msg.parsed.html);

    for (const hostile of [HOSTILE_HOST, HOSTILE_LABEL, HOSTILE_USER]) {
      const escaped = hostile.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
      assert.ok(html.includes(escaped), `escaped form of ${hostile} present`);
    }
    assert.ok(!html.includes('<img'), 'no raw <img');
    assert.ok(!html.includes('<script'), 'no raw <script');
    assert.ok(!html.includes('<svg'), 'no raw <svg');
    assert.ok(!/onerror=alert\(1\)>/.test(html.replace(/&gt;/g, '')), 'no live attribute');
  });

  it('has no scripts, no external images and inline styles only', async () => {
    const msg = await deliver(capture, threeAlerts(), renderContext(emailSettings(capture.port)));
    const html = String(msg.parsed.html);

    assert.ok(!/<script|<style|<link|<img|src=/i.test(html.replace(/&lt;[^&]*&gt;/g, '')));
    assert.ok(/<table/.test(html));
  });
});

describe('alert mail: facts', () => {
  it('fills the top-talker table with the values computed from the flows', async () => {
    const flows = blockedFlows();
    const msg = await deliver(capture, [trafficAlert(flows)], renderContext(emailSettings(capture.port)));
    const [talkers] = tables(String(msg.parsed.html), 'talkers');
    assert.ok(talkers);

    // Group by source/destination/port, sum connections, five biggest.
    const sums = new Map<string, number>();
    for (const f of flows) {
      const src = f.src.workload?.hostname ? `${f.src.workload.hostname} (${f.src.ip})` : f.src.ip;
      sums.set(src, (sums.get(src) ?? 0) + (f.num_connections ?? 1));
    }
    const expected = [...sums].sort((a, b) => b[1] - a[1]).slice(0, 5);

    assert.deepEqual(talkers[0], ['Source', 'Destination', 'Port/Proto', 'Connections']);
    assert.equal(talkers.length, 6);
    expected.forEach(([src, count], i) => {
      const row = talkers[i + 1] ?? [];
      assert.equal(row[0]?.split('\n')[0], src);
      assert.equal(row[1], 'db02 (10.0.0.9)\nrole=db, env=prod');
      assert.equal(row[2], '445/tcp');
      assert.equal(row[3], String(count));
    });
    assert.equal(talkers[1]?.[0], `${HOSTILE_HOST} (10.0.0.5)\napp=${HOSTILE_LABEL}, env=prod`);
    assert.equal(sums.get(`${HOSTILE_HOST} (10.0.0.5)`), 25);
  });

  it('puts the same counts in the plain-text part', async () => {
    const flows = blockedFlows();
    const total = flows.reduce((n, f) => n + (f.num_connections ?? 0), 0);
    const msg = await deliver(capture, threeAlerts(), renderContext(emailSettings(capture.port)));
    const text = msg.parsed.text ?? '';

    assert.ok(text.includes(`Count: ${total} (threshold 10 in 10 min)`), 'traffic count');
    assert.ok(text.includes('Count: 5 (threshold 1 in 10 min)'), 'login failures count');
    assert.ok(text.includes(`${HOSTILE_HOST} (10.0.0.5) [app=${HOSTILE_LABEL}, env=prod] -> db02 (10.0.0.9) [role=db, env=prod] 445/tcp | Connections: 25`));
    assert.ok(text.includes(`${HOSTILE_USER} | Events: 5`));
    assert.ok(text.includes('Events fetched: 1,234'));
    assert.ok(text.includes('Rules evaluated: 11'));
    assert.ok(text.includes('Alerts suppressed by cooldown: 2'));
  });

  it('shows the first two raw records as pretty JSON', async () => {
    const flows = blockedFlows();
    const msg = await deliver(capture, [trafficAlert(flows)], renderContext(emailSettings(capture.port)));
    const pres = [...String(msg.parsed.html).matchAll(/<pre class="sample"[^>]*>([\s\S]*?)<\/pre>/g)].map((m) =>
      (m[1] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
    );
    assert.equal(pres.length, 2);
    assert.deepEqual(JSON.parse(pres[0] ?? ''), flows[0]);
    assert.deepEqual(JSON.parse(pres[1] ?? ''), flows[1]);
    assert.ok((msg.parsed.text ?? '').includes(JSON.stringify(flows[1], null, 2)));
  });

  it('links into the PCE for the alert window', async () => {
    const msg = await deliver(capture, [trafficAlert()], renderContext(emailSettings(capture.port)));
    const href = /<a href="([^"]+)"[^>]*>Open this window in Explorer<\/a>/.exec(String(msg.parsed.html))?.[1];
    assert.ok(href);
    const url = new URL(href.replace(/&amp;/g, '&'));
    assert.equal(url.origin, 'https://pce.example.com:8443');
    assert.equal(url.hash.split('?')[0], '#/explorer');
    const params = new URLSearchParams(url.hash.split('?')[1]);
    assert.equal(params.get('start'), '2025-03-04T10:05:00.000Z');
    assert.equal(params.get('end'), '2025-03-04T10:15:00.000Z');
  });

  it('proves coverage in the footer, with "N of M" and the incomplete warning', async () => {
    const ctx = renderContext(emailSettings(capture.port), {
      coverage: coverage({ flowsAnalysed: 1000, flowsMatchedTotal: 2500, truncated: true, incomplete: 'events capped at 50000' }),
    });
    const msg = await deliver(capture, [trafficAlert()], ctx);
    const [rows] = tables(String(msg.parsed.html), 'coverage');
    const byLabel = new Map((rows ?? []).map((r) => [r[0], r[1]]));

    assert.equal(byLabel.get('Time range read'), '2025-03-04 09:00:00 (UTC, UTC+00:00) - 2025-03-04 10:20:00 (UTC, UTC+00:00)');
    assert.equal(byLabel.get('Events fetched'), '1,234');
    assert.equal(byLabel.get('Flows analysed'), '1,000 of 2,500 (the PCE cut the result)');
    assert.equal(byLabel.get('Rules evaluated'), '11');
    assert.equal(byLabel.get('Alerts suppressed by cooldown'), '2');
    assert.equal(byLabel.get('Incomplete fetch'), 'events capped at 50000');
    assert.ok((msg.parsed.text ?? '').includes('Flows analysed: 1,000 of 2,500 (the PCE cut the result) (!)'));
  });
});

/**
 * The received HTML part rendered by a real browser engine (Debian's
 * headless Chromium): the visible text of the talker cells, hostile names
 * shown as text with no element created from them, and no sideways scroll
 * on a phone-width screen. Skipped, saying why, where Chromium is absent.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startSmtpCapture, type SmtpCapture } from '../src/sim/smtp-capture.js';
import { deliver } from './helpers/mail-deliver.js';
import { HOSTILE_HOST, HOSTILE_LABEL, HOSTILE_USER, blockedFlows, emailSettings, eventAlert, loginFailure, renderContext, talkersOf, trafficAlert } from './helpers/mail-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium); .ci/run installs it`;

let capture: SmtpCapture;
let work: string;
before(async () => {
  capture = await startSmtpCapture();
  work = await mkdtemp(path.join(os.tmpdir(), 'mail-chromium-'));
});
after(async () => {
  await capture.close();
  await rm(work, { recursive: true, force: true });
});

/** Appended to a test copy only (the mail has no script): reports what the browser shows. */
const PROBE = `<script>
const cells = (cls) => [...document.querySelectorAll('table.' + cls + ' tr')].map((tr) => [...tr.cells].map((c) => c.innerText.trim()));
document.body.setAttribute('data-probe', JSON.stringify({
  talkers: [...document.querySelectorAll('table.talkers')].map((t) => [...t.rows].map((tr) => [...tr.cells].map((c) => c.innerText.trim()))),
  coverage: cells('coverage'),
  images: document.images.length,
  svgs: document.querySelectorAll('svg').length,
  scripts: document.scripts.length,
  overflow: document.documentElement.scrollWidth - window.innerWidth,
}));
</script>`;

async function browserView(html: string, width: number): Promise<Record<string, unknown>> {
  const file = path.join(work, `mail-${width}.html`);
  await writeFile(file, html.replace('</body>', `${PROBE}</body>`));

  const { stdout } = await promisify(execFile)(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${path.join(work, `profile-${width}`)}`, `--window-size=${width},900`,
    '--dump-dom', `file://${file}`,
  ], { timeout: 60_000, maxBuffer: 20 * 1024 * 1024 });

  const attr = /data-probe="([^"]*)"/.exec(stdout)?.[1];
  assert.ok(attr, 'the probe ran');
  return JSON.parse(attr.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as Record<string, unknown>;
}

describe('alert mail in headless Chromium', { skip }, () => {
  it('shows the talker cells as text and creates no element from PCE strings', async () => {
    const flows = blockedFlows();
    const logins = eventAlert('Console login failures', 'medium', [loginFailure(HOSTILE_USER, 1)], () => HOSTILE_USER);
    const msg = await deliver(capture, [trafficAlert(flows), logins], renderContext(emailSettings(capture.port)));
    const view = await browserView(String(msg.parsed.html), 800);

    const [traffic, events] = view.talkers as string[][][];
    const expected = talkersOf(flows).map((t) => [
      t.srcLabels ? `${t.src}\n${t.srcLabels}` : t.src,
      t.dstLabels ? `${t.dst}\n${t.dstLabels}` : t.dst,
      t.service,
      String(t.count),
    ]);
    assert.deepEqual(traffic, [['Source', 'Destination', 'Port/Proto', 'Connections'], ...expected]);
    assert.equal(traffic?.[1]?.[0], `${HOSTILE_HOST} (10.0.0.5)\napp=${HOSTILE_LABEL}, env=prod`);
    assert.deepEqual(events, [['Source', 'Events'], [HOSTILE_USER, '1']]);

    assert.equal(view.images, 0);
    assert.equal(view.svgs, 0);
    assert.equal(view.scripts, 1, 'only the probe');
  });

  it('fits a phone screen without scrolling sideways', async () => {
    const msg = await deliver(capture, [trafficAlert()], renderContext(emailSettings(capture.port)));
    const view = await browserView(String(msg.parsed.html), 375);
    assert.ok((view.overflow as number) <= 0, `overflow ${String(view.overflow)} px`);
    const coverage = view.coverage as string[][];
    assert.deepEqual(coverage.find((r) => r[0] === 'Events fetched'), ['Events fetched', '1,234']);
  });

  it('makes a screenshot of the demo-like mail', async () => {
    const msg = await deliver(capture, [trafficAlert()], renderContext(emailSettings(capture.port)));
    const file = path.join(work, 'plain.html');
    await writeFile(file, String(msg.parsed.html));
    const png = path.join(work, 'mail.png');
    await promisify(execFile)(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars',
      `--user-data-dir=${path.join(work, 'profile-shot')}`, '--window-size=800,1200', `--screenshot=${png}`, `file://${file}`,
    ], { timeout: 60_000 });
    const bytes = await readFile(png);
    assert.deepEqual([...bytes.subarray(1, 4)], [...Buffer.from('PNG')]);
  });
});

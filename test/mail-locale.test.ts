/**
 * Language and time zone of the alert mail, read back from real delivery.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSmtpCapture, type SmtpCapture } from '../src/sim/smtp-capture.js';
import { deliver } from './helpers/mail-deliver.js';
import { emailSettings, eventAlert, renderContext, tables, tamperEvent, trafficAlert } from './helpers/mail-fixtures.js';

let capture: SmtpCapture;
before(async () => (capture = await startSmtpCapture()));
after(async () => capture.close());

/** `2025-03-04 18:15:22` for a UTC time shifted by a known offset. */
function shifted(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

describe('alert mail: time zone', () => {
  it('shows Asia/Taipei times 8 hours ahead, with the zone named', async () => {
    const tamper = eventAlert('Agent tampering', 'critical', [tamperEvent('app01', 1)], () => 'app01');
    const msg = await deliver(capture, [tamper], renderContext(emailSettings(capture.port, { timeZone: 'Asia/Taipei' })));
    const [facts] = tables(String(msg.parsed.html), 'facts');
    const byLabel = new Map((facts ?? []).map((r) => [r[0], r[1]]));

    const expected = `${shifted('2025-03-04T10:15:22.481Z', 8)} (Asia/Taipei, UTC+08:00)`;
    assert.equal(expected, '2025-03-04 18:15:22 (Asia/Taipei, UTC+08:00)');
    assert.equal(byLabel.get('First seen'), expected);
    assert.equal(byLabel.get('Window'), `${shifted('2025-03-04T10:10:00Z', 8)} (Asia/Taipei, UTC+08:00) - ${shifted('2025-03-04T10:20:00Z', 8)} (Asia/Taipei, UTC+08:00)`);
    assert.ok((msg.parsed.text ?? '').includes(`First seen: ${expected}`));
    assert.ok((msg.parsed.text ?? '').includes('Times are shown in Asia/Taipei.'));
  });

  it('follows daylight saving time in America/New_York', async () => {
    const winter = trafficAlert(undefined, { firstSeen: '2025-03-04T15:00:00Z', lastSeen: '2025-07-04T15:00:00Z' });
    const msg = await deliver(capture, [winter], renderContext(emailSettings(capture.port, { timeZone: 'America/New_York' })));
    const [facts] = tables(String(msg.parsed.html), 'facts');
    const byLabel = new Map((facts ?? []).map((r) => [r[0], r[1]]));

    assert.equal(byLabel.get('First seen'), `${shifted('2025-03-04T15:00:00Z', -5)} (America/New_York, UTC-05:00)`);
    assert.equal(byLabel.get('Last seen'), `${shifted('2025-07-04T15:00:00Z', -4)} (America/New_York, UTC-04:00)`);
  });
});

describe('alert mail: Traditional Chinese', () => {
  it('writes every fixed text in zh-TW', async () => {
    const tamper = eventAlert('Agent tampering', 'critical', [tamperEvent('app01', 1)], () => 'app01');
    const email = emailSettings(capture.port, { language: 'zh-TW', timeZone: 'Asia/Taipei' });
    const msg = await deliver(capture, [trafficAlert(), tamper], renderContext(email));
    const html = String(msg.parsed.html);
    const text = msg.parsed.text ?? '';

    assert.equal(msg.parsed.subject, '[Illumio Monitor] 2 則警示 - 嚴重 Agent tampering（主機 app01）');
    assert.ok(html.includes('<html lang="zh-TW">'));
    for (const phrase of ['Illumio 監控警示', '流量來源前五名', '事件來源前五名', '連線數', '首次出現', '本次執行的涵蓋範圍', '時間以 Asia/Taipei 顯示。']) {
      assert.ok(html.includes(phrase), `HTML has ${phrase}`);
      assert.ok(text.includes(phrase), `text has ${phrase}`);
    }
    assert.ok(text.includes('計數: 44（門檻 10，時間窗 10 分鐘）'));
    // The critical event alert comes first, then the traffic alert.
    const [events, traffic] = tables(html, 'talkers');
    assert.deepEqual(events?.[0], ['來源', '事件數']);
    assert.deepEqual(traffic?.[0], ['來源', '目的地', '連接埠/協定', '連線數']);

    // No English fixed text left behind.
    for (const english of ['Top 5', 'Coverage', 'Connections', 'First seen', 'Threshold', 'threshold', 'Times are shown']) {
      assert.ok(!html.includes(english), `HTML has no "${english}"`);
      assert.ok(!text.includes(english), `text has no "${english}"`);
    }
  });
});

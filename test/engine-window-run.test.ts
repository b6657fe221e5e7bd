/**
 * The whole-window talkers and samples through real runs: PCE simulator,
 * SMTP server and the state file. A trickle over five runs must mail a talker
 * table that adds up to the count, the two oldest raw events of the window,
 * and a CSV note that says the attachment holds this run's records only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { event } from './helpers/records.js';
import { csvRows, eventRule, MIN, runEnv } from './helpers/run-env.js';
import type { PceEvent } from '../src/types.js';

test('a trickle from 3 hosts over 5 runs mails count 5, talkers summing to 5, the 2 oldest samples and a this-run CSV note', async () => {
  const rule = eventRule({ threshold: 5, windowMinutes: 30, cooldownMinutes: 30 });
  const env = await runEnv({ rules: [rule] });
  try {
    const hosts = ['app01.example.com', 'db02.example.com', 'web03.example.com', 'db02.example.com', 'app01.example.com'];
    const sent: PceEvent[] = [];

    for (const [i, host] of hosts.entries()) {
      env.clock.advance(5 * MIN);
      const e = event('agent.tampering', env.clock.now() - MIN, { host });
      sent.push(e);
      env.pce.addEvents([e]);
      const r = await env.run();
      assert.equal(r.ok, true, r.errors.join('; '));
      assert.deepEqual(r.alerts.map((a) => a.count), i < 4 ? [] : [5], `run ${i + 1}`);
    }

    assert.equal(env.smtp.messages.length, 1);
    const text = env.smtp.messages[0]!.parsed.text ?? '';
    assert.ok(text.includes('Count: 5 (threshold 5 in 30 min)'), text);

    // Top sources: 2 + 2 + 1 = 5, ties by name.
    const lines = text.split('\n').filter((l) => / \| Events: \d+$/.test(l));
    assert.deepEqual(lines, [
      '  1. app01.example.com | Events: 2',
      '  2. db02.example.com | Events: 2',
      '  3. web03.example.com | Events: 1',
    ]);

    // The two oldest raw events of the window, from the first two runs, oldest first.
    const shown = sent.map((e) => text.indexOf(`"href": "${e.href}"`));
    assert.ok(shown[0]! > 0 && shown[1]! > shown[0]!, 'the first two events are the samples, in order');
    assert.deepEqual(shown.slice(2), [-1, -1, -1]);

    // The CSV holds this run's record; the note says so instead of "All 1 matched records".
    const rows = csvRows(env.smtp.messages[0]!, 'tamper') ?? [];
    assert.deepEqual(rows.slice(1).map((r) => r[rows[0]!.indexOf('href')]), [sent[4]!.href]);
    assert.ok(text.includes('The matched record read in this run is attached as tamper.csv. The other 4 of the 5 in the window were read by earlier runs'), text);
    assert.ok(!text.includes('matched records are attached'));

    // The state keeps them per minute and source, and the two oldest raw events.
    const state = (await env.state()).rules.tamper;
    assert.deepEqual(state?.talkers?.map(([at, source, n]) => [at, source, n]), sent.map((e, i) => [Date.parse(e.timestamp), hosts[i], 1]));
    assert.deepEqual(state?.samples?.map((s) => s.href), [sent[0]!.href, sent[1]!.href]);
  } finally {
    await env.close();
  }
});

test('the CSV note of a capped event alert names this run\'s total and the window\'s, in both languages', async () => {
  const { buildView } = await import('../src/alert/view.js');
  const { emailSettings, eventAlert, loginFailure, renderContext } = await import('./helpers/mail-fixtures.js');
  // 7 matched this run, 3 handed over (csvMaxRows), 12 in the window.
  const events = Array.from({ length: 7 }, (_, i) => loginFailure(`user${i}@example.com`, i));
  const alert = { ...eventAlert('Login failures', 'medium', events, (e) => String(e.href)), count: 12, records: events.slice(0, 3), recordsMatched: 7 };

  const en = buildView([alert], renderContext(emailSettings(25, { csvMaxRows: 3 })));
  assert.equal(
    en.alerts[0]?.csvNote,
    'login-failures.csv holds the first 3 of 7 matched records (cap set by email.csvMaxRows). The other 5 of the 12 in the window were read by earlier runs: counted and among the talkers, but not attached.',
  );

  const zh = buildView([alert], renderContext(emailSettings(25, { csvMaxRows: 3, language: 'zh-TW' })));
  assert.ok(zh.alerts[0]?.csvNote?.includes('時間窗內 12 筆中的其餘 5 筆由先前的執行讀取'));

  // Everything in the window read by this run: the plain wording.
  const whole = buildView([{ ...alert, count: 7 }], renderContext(emailSettings(25, { csvMaxRows: 3 })));
  assert.equal(whole.alerts[0]?.csvNote, 'login-failures.csv holds the first 3 of 7 matched records (cap set by email.csvMaxRows).');
});

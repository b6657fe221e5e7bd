/**
 * The CSV attachment of each alert: every matched record, quoted properly,
 * formulas neutralised, and the cap stated in the mail when it is hit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSmtpCapture, type SmtpCapture } from '../src/sim/smtp-capture.js';
import { attachmentText, deliver } from './helpers/mail-deliver.js';
import { blockedFlows, emailSettings, eventAlert, loginFailure, renderContext, trafficAlert } from './helpers/mail-fixtures.js';

let capture: SmtpCapture;
before(async () => (capture = await startSmtpCapture()));
after(async () => capture.close());

/** A small RFC 4180 reader, enough to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += ch;
  }
  return rows;
}

describe('alert mail: CSV attachment', () => {
  it('holds every matched flow, with formulas neutralised', async () => {
    const flows = blockedFlows();
    const msg = await deliver(capture, [trafficAlert(flows)], renderContext(emailSettings(capture.port)));
    const csv = attachmentText(msg, 'blocked-smb.csv');

    assert.ok(csv.startsWith('\uFEFF'), 'UTF-8 BOM for spreadsheet programs');
    const rows = parseCsv(csv.slice(1));
    const head = rows[0] ?? [];
    const col = (name: string) => head.indexOf(name);
    assert.equal(rows.length, flows.length + 1);

    flows.forEach((f, i) => {
      const row = rows[i + 1] ?? [];
      assert.equal(row[col('src_ip')], f.src.ip);
      assert.equal(row[col('num_connections')], String(f.num_connections));
      assert.equal(row[col('port')], '445');
    });

    const formulaRow = rows[6] ?? [];
    assert.equal(formulaRow[col('src_hostname')], `'=HYPERLINK("http://evil.example","x")`);
    assert.equal(formulaRow[col('src_labels')], `env=+cmd`);
    const atRow = rows[7] ?? [];
    assert.equal(atRow[col('src_hostname')], `'@SUM(1)`);
    assert.ok(csv.includes(`"'=HYPERLINK(""http://evil.example"",""x"")"`), 'quotes doubled inside a quoted cell');
    assert.ok(csv.includes('資料庫-01.例子.tw'), 'non-ASCII kept');
    assert.ok((msg.parsed.text ?? '').includes('All 7 matched records are attached as blocked-smb.csv.'));
  });

  it('neutralises a cell that starts with a formula character', async () => {
    const flows = blockedFlows().slice(0, 1);
    const src = flows[0]?.src.workload;
    assert.ok(src);
    src.labels = [{ key: 'env', value: 'x' }];
    src.hostname = '-1+1';
    const msg = await deliver(capture, [trafficAlert(flows)], renderContext(emailSettings(capture.port)));
    const rows = parseCsv(attachmentText(msg, 'blocked-smb.csv').slice(1));
    assert.equal(rows[1]?.[(rows[0] ?? []).indexOf('src_hostname')], `'-1+1`);
  });

  it('caps the rows at email.csvMaxRows and says so in both parts', async () => {
    const events = Array.from({ length: 7 }, (_, i) => loginFailure(`user${i}@example.com`, i));
    const alert = eventAlert('Console login failures', 'medium', events, (e) => String(e.href));
    const msg = await deliver(capture, [alert], renderContext(emailSettings(capture.port, { csvMaxRows: 3 })));
    const rows = parseCsv(attachmentText(msg, 'console-login-failures.csv').slice(1));

    assert.equal(rows.length, 1 + 3);
    const head = rows[0] ?? [];
    assert.deepEqual(rows.slice(1).map((r) => r[head.indexOf('supplied_username')]), ['user0@example.com', 'user1@example.com', 'user2@example.com']);
    assert.deepEqual(rows.slice(1).map((r) => r[head.indexOf('href')]), events.slice(0, 3).map((e) => e.href));

    const note = 'console-login-failures.csv holds the first 3 of 7 matched records (cap set by email.csvMaxRows).';
    assert.ok((msg.parsed.text ?? '').includes(note));
    assert.ok(String(msg.parsed.html).includes(note));
  });
});

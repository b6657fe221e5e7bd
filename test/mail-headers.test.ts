/**
 * Header safety of the composed message, checked on what a real SMTP server
 * received: no header injection, exact recipients, 998-octet lines, and
 * non-ASCII names encoded on the wire and decoded back exactly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { renderAlertEmail } from '../src/alert/render.js';
import { composeMessage } from '../src/alert/send.js';
import { MailError } from '../src/errors.js';
import { startSmtpCapture, type SmtpCapture } from '../src/sim/smtp-capture.js';
import { deliver } from './helpers/mail-deliver.js';
import { NON_ASCII_HOST, blockedFlows, emailSettings, flow, renderContext, trafficAlert } from './helpers/mail-fixtures.js';

let capture: SmtpCapture;
before(async () => (capture = await startSmtpCapture()));
after(async () => capture.close());

/** The header block of a raw message, unfolded, one header per entry. */
function headerLines(raw: string): string[] {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
  return head.replace(/\r\n[ \t]/g, ' ').split('\r\n');
}

describe('mail headers: injection', () => {
  it('keeps a CR/LF in a rule or host name out of the header block', async () => {
    const evilHost = 'app01\r\nBcc: victim@evil.example\r\nX-Injected: 1';
    const flows = [flow({ ip: '10.0.0.5', host: evilHost }, { ip: '10.0.0.9' }, 445, 50)];
    const alert = trafficAlert(flows, { ruleName: 'Blocked\r\nCc: other@evil.example\nSMB' });
    const msg = await deliver(capture, [alert], renderContext(emailSettings(capture.port)));

    const names = headerLines(msg.raw).map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
    assert.ok(!names.includes('bcc') && !names.includes('cc') && !names.includes('x-injected'), names.join(','));
    assert.equal(msg.parsed.cc, undefined);
    assert.equal(msg.parsed.bcc, undefined);
    assert.equal(msg.parsed.subject, '[Illumio Monitor] 1 alert - HIGH Blocked Cc: other@evil.example SMB on app01 Bcc: victim@evil.example X-Injected: 1');
    assert.deepEqual(msg.envelope.to, ['soc@example.com']);
  });

  it('refuses a from or to address that holds a line break or a second address', async () => {
    const rendered = renderAlertEmail([trafficAlert()], renderContext(emailSettings(capture.port)));
    const cases: [Partial<ReturnType<typeof emailSettings>>, RegExp][] = [
      [{ from: 'mon@example.com\r\nBcc: x@evil.example' }, /email\.from contains a line break/],
      [{ to: ['soc@example.com', 'a@example.com\nBcc: x@evil.example'] }, /email\.to\[1\] contains a line break/],
      [{ to: ['soc@example.com, boss@evil.example'] }, /email\.to\[0\] must hold exactly one address/],
      [{ to: [] }, /email\.to lists no recipient/],
    ];
    for (const [extra, message] of cases) {
      await assert.rejects(composeMessage(rendered, emailSettings(capture.port, extra), {}), (err: unknown) => {
        assert.ok(err instanceof MailError);
        assert.equal(err.code, 'MAIL_ADDRESS');
        assert.equal(err.exitCode, 2);
        assert.match(err.message, message);
        return true;
      });
    }
  });
});

describe('mail headers: recipients', () => {
  it('sends to exactly the configured recipients, with no Cc or Bcc', async () => {
    const to = ['soc@example.com', 'Night Shift <noc@example.org>', 'sec+alerts@example.net'];
    const msg = await deliver(capture, [trafficAlert()], renderContext(emailSettings(capture.port, { to })));

    assert.deepEqual(msg.envelope.to, ['soc@example.com', 'noc@example.org', 'sec+alerts@example.net']);
    assert.equal(msg.envelope.from, 'illumio-monitor@example.com');
    const parsedTo = Array.isArray(msg.parsed.to) ? msg.parsed.to : [msg.parsed.to];
    assert.deepEqual(parsedTo.flatMap((a) => a?.value.map((v) => v.address) ?? []), ['soc@example.com', 'noc@example.org', 'sec+alerts@example.net']);
    assert.equal(msg.parsed.cc, undefined);
    assert.equal(msg.parsed.bcc, undefined);
    assert.ok(!/^bcc:/im.test(msg.raw));
  });

  it('uses the given Message-ID and date', async () => {
    const email = emailSettings(capture.port);
    const rendered = renderAlertEmail([trafficAlert()], renderContext(email));
    const date = new Date('2025-03-04T10:20:05Z');
    const composed = await composeMessage(rendered, email, { messageId: '<run-42@example.com>', date });
    assert.equal(composed.messageId, '<run-42@example.com>');
    assert.ok(composed.raw.includes('Message-ID: <run-42@example.com>'));
    assert.ok(composed.raw.includes('Date: Tue, 04 Mar 2025 10:20:05 +0000'));
  });
});

describe('mail headers: encoding', () => {
  it('keeps every raw line within 998 octets, even for huge names and records', async () => {
    const huge = 'h'.repeat(5000);
    const flows = [flow({ ip: '10.0.0.5', host: huge, labels: [`app=${'ä'.repeat(3000)}`] }, { ip: '10.0.0.9' }, 445, 50)];
    const alert = trafficAlert(flows, { ruleName: `Rule ${'x'.repeat(3000)}`, details: ['d'.repeat(4000)] });
    const msg = await deliver(capture, [alert], renderContext(emailSettings(capture.port)));

    const lines = msg.bytes.toString('latin1').split('\r\n');
    const longest = Math.max(...lines.map((l) => Buffer.byteLength(l, 'latin1')));
    assert.ok(longest <= 998, `longest line ${longest} octets`);
    assert.ok(!/(^|[^\r])\n/.test(msg.bytes.toString('latin1')), 'every line ends in CRLF');
    assert.ok(String(msg.parsed.html).includes(huge), 'the long name still arrives whole');
  });

  it('encodes non-ASCII subjects and names on the wire and decodes them exactly', async () => {
    const ruleName = 'Ärger – 阻擋的流量 🚫';
    const flows = [flow({ ip: '10.0.0.6', host: NON_ASCII_HOST, labels: ['位置=台北'] }, { ip: '10.0.0.9' }, 445, 50), ...blockedFlows()];
    const msg = await deliver(capture, [trafficAlert(flows, { ruleName })], renderContext(emailSettings(capture.port)));

    assert.ok([...msg.bytes].every((b) => b < 128), 'the raw message is 7-bit');
    assert.equal(msg.parsed.subject, `[Illumio Monitor] 1 alert - HIGH ${ruleName} on ${NON_ASCII_HOST}`);
    assert.ok(String(msg.parsed.html).includes(`${NON_ASCII_HOST} (10.0.0.6)<br>`));
    assert.ok(String(msg.parsed.html).includes('位置=台北'));
    assert.ok((msg.parsed.text ?? '').includes(`${NON_ASCII_HOST} (10.0.0.6) [位置=台北]`));
  });
});

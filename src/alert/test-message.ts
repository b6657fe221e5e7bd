/**
 * The short message `test-email` sends: it names the host and the time, in
 * the configured language and time zone, so the reader knows which monitor
 * reached them and when.
 */
import type { ResolvedConfig } from '../types.js';
import { escapeHtml as e, oneLine } from './escape.js';
import { formatTime } from './format.js';
import { strings } from './i18n.js';
import type { RenderedEmail } from './model.js';

export function renderTestEmail(
  email: ResolvedConfig['email'],
  opts: { hostname: string; now: number },
): RenderedEmail {
  const t = strings(email.language);
  const subject = [oneLine(email.subjectPrefix), t.testSubject].filter(Boolean).join(' ');
  const body = t.testBody(opts.hostname, formatTime(opts.now, email.timeZone));

  const html = `<!DOCTYPE html>
<html lang="${e(email.language)}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#111827;">
<p style="margin:0;">${e(body)}</p>
</body></html>
`;
  return { subject, html, text: `${body}\n`, attachments: [] };
}

/**
 * The HTML part: a centred 720px table (full width on a phone), a summary of
 * every alert, one section per alert, and the coverage footer. No scripts,
 * no external images, no stylesheet: inline styles only.
 */
import { escapeHtml as e } from './escape.js';
import { alertSection, severityBadge } from './html-alert.js';
import type { MailView } from './view.js';

export function renderHtml(view: MailView, subject: string, language: string): string {
  const t = view.t;
  return `<!DOCTYPE html>
<html lang="${e(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>${e(subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6;">
<tr><td align="center" style="padding:12px 6px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:720px;background:#ffffff;border:1px solid #d1d5db;border-collapse:collapse;font-family:Arial,Helvetica,'Microsoft JhengHei','PingFang TC',sans-serif;font-size:14px;line-height:1.4;color:#111827;">
<tr><td style="padding:16px;background:#111827;color:#ffffff;">
<h1 style="margin:0;font-size:20px;">${e(t.heading)}</h1>
<p style="margin:4px 0 0 0;">${e(view.intro)}</p>
</td></tr>
${summary(view)}
${view.alerts.map((a, i) => alertSection(a, t, i + 1)).join('\n')}
${footer(view)}
</table>
</td></tr>
</table>
</body>
</html>
`;
}

function summary(view: MailView): string {
  const cell = 'padding:6px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top;';
  const rows = view.alerts
    .map(
      (a, i) =>
        `<tr><td style="${cell}white-space:nowrap;">${severityBadge(a)}</td><td style="${cell}"><a href="#alert-${i + 1}" style="color:#111827;">${e(a.ruleName)}</a></td><td style="${cell}">${e(a.countLine)}</td></tr>`,
    )
    .join('\n');
  return `<tr><td style="padding:12px 16px;">
<table class="summary" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">
${rows}
</table>
</td></tr>`;
}

function footer(view: MailView): string {
  const t = view.t;
  const cell = 'padding:3px 8px 3px 0;vertical-align:top;font-size:12px;';
  const rows = view.coverage
    .map((r) => {
      const style = r.warn ? `${cell}color:#b91c1c;font-weight:bold;` : cell;
      return `<tr><th scope="row" style="${cell}text-align:left;color:#4b5563;">${e(r.label)}</th><td style="${style}">${e(r.value)}</td></tr>`;
    })
    .join('\n');

  return `<tr><td style="padding:16px;background:#f9fafb;border-top:1px solid #d1d5db;color:#374151;">
<p style="margin:0 0 6px 0;font-weight:bold;font-size:13px;">${e(t.coverage)}</p>
<table class="coverage" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">
${rows}
</table>
<p style="margin:8px 0 0 0;font-size:12px;color:#4b5563;">${e(view.zoneNote)} ${e(view.sentBy)}</p>
</td></tr>`;
}

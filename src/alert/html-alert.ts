/**
 * One alert's section of the HTML part: facts table, top talkers, raw
 * records, link and details. Table layout and inline styles only, which is
 * what Outlook desktop, Gmail and Apple Mail all render the same way.
 */
import type { Severity } from '../types.js';
import { escapeHtml as e } from './escape.js';
import type { Strings } from './i18n.js';
import type { AlertView, TalkerRow } from './view.js';

/** Background colours; the text label is always shown too (colour-blind readers, grey printers). */
export const SEVERITY_COLOURS: Record<Severity, string> = {
  critical: '#b91c1c',
  high: '#c2410c',
  medium: '#a16207',
  low: '#1d4ed8',
  info: '#4b5563',
};

const BOX = 'padding:6px 8px;border:1px solid #d1d5db;vertical-align:top;';
// Long PCE names (FQDNs, label lists) wrap inside their cell instead of widening the table on a phone.
const CELL = `${BOX}word-break:break-word;overflow-wrap:anywhere;`;
const HEAD = `${BOX}background:#f3f4f6;font-weight:bold;text-align:left;`;
const SMALL = 'color:#4b5563;font-size:12px;';

export function severityBadge(view: Pick<AlertView, 'severity' | 'severityLabel'>): string {
  const bg = SEVERITY_COLOURS[view.severity];
  return `<span style="display:inline-block;padding:2px 8px;background:${bg};color:#ffffff;font-weight:bold;font-size:12px;border-radius:3px;">${e(view.severityLabel)}</span>`;
}

export function alertSection(view: AlertView, t: Strings, index: number): string {
  const border = SEVERITY_COLOURS[view.severity];
  return `<tr><td style="padding:16px;border-top:4px solid ${border};">
<h2 id="alert-${index}" style="margin:0 0 8px 0;font-size:18px;line-height:1.3;">${severityBadge(view)} ${e(view.ruleName)}</h2>
${factsTable(view, t)}
${talkersTable(view, t)}
${samplesBlock(view, t)}
${linkAndNotes(view, t)}
</td></tr>`;
}

function factsTable(view: AlertView, t: Strings): string {
  const rows: [string, string][] = [
    [t.rule, `${e(view.ruleName)} <span style="${SMALL}">(${e(view.ruleId)})</span>`],
    [t.severityCol, severityBadge(view)],
    [t.count, e(view.countLine)],
    [t.window, e(view.window)],
    [t.firstSeen, e(view.firstSeen)],
    [t.lastSeen, e(view.lastSeen)],
  ];
  const body = rows
    .map(([k, v]) => `<tr><th scope="row" style="${HEAD}width:30%;">${e(k)}</th><td style="${CELL}">${v}</td></tr>`)
    .join('\n');
  return `<table class="facts" role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:0 0 12px 0;">\n${body}\n</table>`;
}

function talkersTable(view: AlertView, t: Strings): string {
  const traffic = view.kind === 'traffic';
  const title = traffic ? t.topTalkers : t.topSources;
  if (view.talkers.length === 0) return `<p style="margin:0 0 12px 0;"><b>${e(title)}</b>: ${e(t.noTalkers)}</p>`;

  // Width hints give the endpoint columns the room; port and count stay on one line.
  const heads: [string, string][] = traffic
    ? [[t.source, '38%'], [t.destination, '38%'], [t.service, '12%'], [t.connections, '12%']]
    : [[t.source, '80%'], [t.events, '20%']];
  const headRow = heads.map(([h, w]) => `<th width="${w}" style="${HEAD}white-space:nowrap;">${e(h)}</th>`).join('');
  const rows = view.talkers.map((row) => `<tr>${talkerCells(row, traffic)}</tr>`).join('\n');

  return `<p style="margin:0 0 4px 0;font-weight:bold;">${e(title)}</p>
<table class="talkers" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:0 0 12px 0;font-size:13px;">
<tr>${headRow}</tr>
${rows}
</table>`;
}

function talkerCells(row: TalkerRow, traffic: boolean): string {
  const endpoint = (name: string, labels: string) =>
    labels ? `${e(name)}<br><span style="${SMALL}">${e(labels)}</span>` : e(name);
  const count = `<td style="${CELL}text-align:right;">${e(row.count)}</td>`;

  if (!traffic) return `<td style="${CELL}">${endpoint(row.source, row.sourceLabels)}</td>${count}`;
  return [
    `<td style="${CELL}">${endpoint(row.source, row.sourceLabels)}</td>`,
    `<td style="${CELL}">${endpoint(row.destination, row.destinationLabels)}</td>`,
    `<td style="${CELL}white-space:nowrap;">${e(row.service)}</td>`,
    count,
  ].join('');
}

function samplesBlock(view: AlertView, t: Strings): string {
  const pre = 'margin:0 0 8px 0;padding:8px;background:#f9fafb;border:1px solid #e5e7eb;font-family:Consolas,Menlo,monospace;font-size:12px;white-space:pre-wrap;word-break:break-all;';
  const body = view.samples.length
    ? view.samples.map((json) => `<pre class="sample" style="${pre}">${e(json)}</pre>`).join('\n')
    : `<p style="margin:0 0 8px 0;${SMALL}">${e(t.noSamples)}</p>`;
  return `<p style="margin:0 0 4px 0;font-weight:bold;">${e(t.samples)}</p>\n${body}`;
}

function linkAndNotes(view: AlertView, t: Strings): string {
  const parts: string[] = [];
  if (view.details.length) {
    const items = view.details.map((d) => `<li>${e(d)}</li>`).join('');
    parts.push(`<p style="margin:0 0 4px 0;font-weight:bold;">${e(t.details)}</p><ul style="margin:0 0 8px 20px;padding:0;">${items}</ul>`);
  }
  if (view.csvNote) parts.push(`<p style="margin:0 0 8px 0;${SMALL}">${e(view.csvNote)}</p>`);
  if (view.link) {
    parts.push(`<p style="margin:0;"><a href="${e(view.link.href)}" style="color:#1d4ed8;">${e(view.link.text)}</a></p>`);
  }
  return parts.join('\n');
}

/**
 * The plain-text part: the same facts as the HTML, for clients and filters
 * that read only text. PCE strings are made single-line where they sit in
 * a line of their own, so a hostile name cannot forge extra lines.
 */
import { oneLine } from './escape.js';
import type { AlertView } from './view.js';
import type { MailView } from './view.js';

export function renderText(view: MailView): string {
  const out: string[] = [view.t.heading, view.intro, ''];

  view.alerts.forEach((a, i) => out.push(`  ${i + 1}. [${a.severityLabel}] ${oneLine(a.ruleName)} - ${a.countLine}`));
  out.push('');

  view.alerts.forEach((a, i) => out.push(...alertText(a, view, i + 1), ''));

  out.push(`== ${view.t.coverage} ==`);
  for (const row of view.coverage) out.push(`${row.label}: ${oneLine(row.value)}${row.warn ? ' (!)' : ''}`);
  out.push('', view.zoneNote, view.sentBy, '');

  return out.join('\n');
}

function alertText(a: AlertView, view: MailView, n: number): string[] {
  const t = view.t;
  const out = [
    `== ${n}. [${a.severityLabel}] ${oneLine(a.ruleName)} ==`,
    `${t.rule}: ${oneLine(a.ruleName)} (${oneLine(a.ruleId)})`,
    `${t.severityCol}: ${a.severityLabel}`,
    `${t.count}: ${a.countLine}`,
    `${t.window}: ${a.window}`,
    `${t.firstSeen}: ${a.firstSeen}`,
    `${t.lastSeen}: ${a.lastSeen}`,
    '',
    ...talkerLines(a, view),
    '',
    `${t.samples}:`,
    ...(a.samples.length ? a.samples.flatMap((s) => [s, '']) : [t.noSamples, '']),
  ];

  if (a.details.length) out.push(`${t.details}:`, ...a.details.map((d) => `  - ${oneLine(d)}`));
  if (a.csvNote) out.push(a.csvNote);
  if (a.link) out.push(`${a.link.text}: ${a.link.href}`);
  return out;
}

function talkerLines(a: AlertView, view: MailView): string[] {
  const t = view.t;
  const traffic = a.kind === 'traffic';
  const title = `${traffic ? t.topTalkers : t.topSources}:`;
  if (a.talkers.length === 0) return [title, `  ${t.noTalkers}`];

  const side = (name: string, labels: string) => oneLine(labels ? `${name} [${labels}]` : name);
  const lines = a.talkers.map((r, i) =>
    traffic
      ? `  ${i + 1}. ${side(r.source, r.sourceLabels)} -> ${side(r.destination, r.destinationLabels)} ${oneLine(r.service)} | ${t.connections}: ${r.count}`
      : `  ${i + 1}. ${side(r.source, r.sourceLabels)} | ${t.events}: ${r.count}`,
  );
  return [title, ...lines];
}

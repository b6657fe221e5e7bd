/**
 * The facts of one alert mail, worked out once and laid out twice (HTML and
 * plain text), so both parts always say the same thing. Strings here are
 * still raw: each layout escapes for its own medium.
 */
import type { Alert, Severity } from '../types.js';
import { buildCsv, type CsvResult } from './csv.js';
import { clip } from './escape.js';
import { formatCount, formatTime, talkerSource, usableZone, worstFirst } from './format.js';
import { strings, type Strings } from './i18n.js';
import { pceLink, type PceLink } from './links.js';
import type { RenderContext } from './model.js';

/** A raw record shown in the mail is cut here; the CSV has everything. */
const SAMPLE_MAX_CHARS = 6000;

export interface TalkerRow {
  source: string;
  sourceLabels: string;
  destination: string;
  destinationLabels: string;
  service: string;
  count: string;
}

export interface AlertView {
  severity: Severity;
  severityLabel: string;
  ruleName: string;
  ruleId: string;
  kind: Alert['ruleType'];
  countLine: string;
  window: string;
  firstSeen: string;
  lastSeen: string;
  talkers: TalkerRow[];
  samples: string[];
  link: (PceLink & { text: string }) | undefined;
  details: string[];
  csvNote: string | undefined;
}

export interface MailView {
  t: Strings;
  intro: string;
  alerts: AlertView[];
  csv: CsvResult[];
  zoneNote: string;
  coverage: { label: string; value: string; warn?: boolean }[];
  sentBy: string;
}

export function buildView(alerts: readonly Alert[], ctx: RenderContext): MailView {
  const t = strings(ctx.email.language);
  const ordered = worstFirst(alerts);
  const csv = ordered.map((a) => buildCsv(a, ctx.email.csvMaxRows));

  return {
    t,
    intro: t.intro(ordered.length),
    alerts: ordered.map((a, i) => alertView(a, ctx, t, csv[i])),
    csv: csv.filter((c): c is CsvResult => c !== undefined),
    zoneNote: t.timesIn(usableZone(ctx.email.timeZone)),
    coverage: coverageRows(ctx, t),
    sentBy: t.sentBy(ctx.hostname ?? 'localhost', formatTime(ctx.now, ctx.email.timeZone)),
  };
}

function alertView(alert: Alert, ctx: RenderContext, t: Strings, csv: CsvResult | undefined): AlertView {
  const time = (iso: string | undefined) => formatTime(iso, ctx.email.timeZone);
  const link = pceLink(alert, ctx.pceUrl);
  const linkText = { events: t.openEvents, explorer: t.openExplorer, health: t.openHealth };

  return {
    severity: alert.severity,
    severityLabel: t.severity[alert.severity],
    ruleName: alert.ruleName,
    ruleId: alert.ruleId,
    kind: alert.ruleType,
    countLine: t.countVsThreshold(formatCount(alert.count), formatCount(alert.threshold), alert.windowMinutes),
    window: `${time(alert.windowStart)} - ${time(alert.windowEnd)}`,
    firstSeen: time(alert.firstSeen),
    lastSeen: time(alert.lastSeen),
    talkers: alert.topTalkers.slice(0, 5).map(talkerRow),
    samples: alert.samples.slice(0, 2).map(prettyJson),
    link: link && { ...link, text: linkText[link.kind] },
    // Held matches may predate the window shown; the line says why they come now.
    details: alert.held ? [heldLine(alert.held, t, ctx.email.timeZone), ...alert.details] : alert.details,
    csvNote: csv && csvNote(alert, csv, t),
  };
}

function heldLine(held: NonNullable<Alert['held']>, t: Strings, zone: string): string {
  return t.heldBack(held.cooldownMinutes, formatTime(held.since, zone), formatCount(held.count));
}

function talkerRow(talker: Alert['topTalkers'][number]): TalkerRow {
  return {
    source: talkerSource(talker),
    sourceLabels: talker.srcLabels ?? '',
    destination: talker.dst ?? '',
    destinationLabels: talker.dstLabels ?? '',
    service: talker.service ?? '',
    count: formatCount(talker.count),
  };
}

function prettyJson(record: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(record, null, 2) ?? String(record);
  } catch {
    json = String(record);
  }
  return clip(json, SAMPLE_MAX_CHARS);
}

function csvNote(alert: Alert, csv: CsvResult, t: Strings): string {
  const file = csv.attachment.filename;
  // The run's true total: the records handed over may already be capped.
  const total = Math.max(alert.recordsMatched ?? csv.total, csv.total);
  // An event window's count includes matches earlier runs read; the CSV holds this run's only.
  const earlier = alert.ruleType === 'event' ? alert.count - total : 0;

  if (csv.written < total) {
    const capped = t.csvCapped(csv.written, total, file);
    return earlier > 0 ? `${capped} ${t.csvEarlier(earlier, alert.count)}` : capped;
  }
  return earlier > 0 ? `${t.csvThisRun(total, file)} ${t.csvEarlier(earlier, alert.count)}` : t.csvAll(total, file);
}

function coverageRows(ctx: RenderContext, t: Strings): MailView['coverage'] {
  const c = ctx.coverage;
  const zone = ctx.email.timeZone;
  const flows =
    c.truncated && c.flowsMatchedTotal !== undefined
      ? t.flowsOf(formatCount(c.flowsAnalysed), formatCount(c.flowsMatchedTotal))
      : formatCount(c.flowsAnalysed);

  const rows: MailView['coverage'] = [
    { label: t.rangeRead, value: `${formatTime(c.rangeStart, zone)} - ${formatTime(c.rangeEnd, zone)}` },
    { label: t.eventsFetched, value: formatCount(c.eventsFetched) },
    { label: t.flowsAnalysed, value: c.trafficError ?? flows, warn: c.truncated || c.trafficError !== undefined },
    { label: t.rulesEvaluated, value: formatCount(c.rulesEvaluated) },
    { label: t.suppressed, value: formatCount(c.suppressedByCooldown) },
  ];
  if (c.incomplete) rows.push({ label: t.incomplete, value: c.incomplete, warn: true });
  return rows;
}

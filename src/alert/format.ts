/**
 * Small formatting rules shared by the subject, HTML, text and CSV: time in
 * the configured zone, numbers, alert order and file names.
 */
import { SEVERITIES, type Alert, type Talker } from '../types.js';

/**
 * `2025-03-04 18:15:22 (Asia/Taipei, UTC+08:00)`: the zone's name and offset
 * are always shown, so nobody has to guess which clock a time is on.
 */
export function formatTime(time: string | number | undefined, timeZone: string): string {
  if (time === undefined || time === '') return '-';
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);

  const zone = usableZone(timeZone);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';

  const offset = part('timeZoneName').replace(/^GMT$/, 'GMT+00:00').replace('GMT', 'UTC');
  const stamp = `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
  return `${stamp} (${zone}, ${offset})`;
}

/** The configured zone, or UTC when the runtime does not know it. */
export function usableZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(n);
}

const RANK = new Map(SEVERITIES.map((s, i) => [s, i]));

/** Worst first: severity, then how far over threshold, then count, then name. */
export function worstFirst(alerts: readonly Alert[]): Alert[] {
  const ratio = (a: Alert) => a.count / Math.max(a.threshold, 1);
  return [...alerts].sort(
    (a, b) =>
      (RANK.get(a.severity) ?? 99) - (RANK.get(b.severity) ?? 99) ||
      ratio(b) - ratio(a) ||
      b.count - a.count ||
      a.ruleName.localeCompare(b.ruleName),
  );
}

/** The source side of a talker: the structured part when the analyser gave one. */
export function talkerSource(t: Talker): string {
  return t.src ?? t.label;
}

/** A file name made only of safe characters, from a rule id. */
export function safeFilename(id: string, ext: string): string {
  const base = id.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 60) || 'alert';
  return `${base}.${ext}`;
}

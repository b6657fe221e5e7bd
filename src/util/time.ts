/**
 * PCE timestamps as they really arrive: milliseconds or microseconds, `Z`,
 * `+00:00` or another offset, `T` or a space between date and time, and
 * sometimes no zone at all (job times), which means UTC whatever the host's
 * TZ. Everything inside the monitor is epoch milliseconds; everything it
 * writes is ISO UTC with an explicit `Z`.
 */

const PCE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Epoch ms of a PCE time string, or undefined when it is not one. Sub-ms digits are truncated. */
export function parsePceTime(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;

  const m = PCE_TIME.exec(s.trim());
  if (!m) return undefined;

  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number, number, number, number, number, number,
  ];
  if (!validParts(year, month, day, hour, minute, second)) return undefined;

  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const offset = zoneOffsetMinutes(m[8]);
  if (offset === undefined) return undefined;

  return utc - offset * 60_000;
}

/** `2025-03-04T10:15:22.481Z`. */
export function toIsoZ(ms: number): string {
  return new Date(ms).toISOString();
}

function validParts(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return false;

  // Day 31 of a 30-day month would silently roll over in Date.UTC.
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= daysInMonth;
}

/** Minutes east of UTC; no zone means UTC. */
function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;

  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return undefined;

  return sign * (hours * 60 + minutes);
}

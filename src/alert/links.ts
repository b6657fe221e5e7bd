/**
 * Links from an alert into the PCE web console, so the reader can open the
 * same window there.
 *
 * These are deep links into the console's single-page app. Its routes
 * (`#/events`, `#/explorer`, `#/health`) and the query parameters it reads
 * differ between PCE versions; on a version that ignores the parameters the
 * link still opens the right page, without the time filter applied.
 */
import type { Alert } from '../types.js';

export interface PceLink {
  kind: 'events' | 'explorer' | 'health';
  href: string;
}

export function pceLink(alert: Alert, pceUrl: string): PceLink | undefined {
  const base = consoleBase(pceUrl);
  if (!base) return undefined;

  if (alert.ruleType === 'health') return { kind: 'health', href: `${base}/#/health` };

  const query = new URLSearchParams({ start: alert.windowStart, end: alert.windowEnd });
  const kind = alert.ruleType === 'traffic' ? 'explorer' : 'events';
  return { kind, href: `${base}/#/${kind}?${query.toString()}` };
}

/** `https://host:port` of the console, or undefined for anything but http(s). */
function consoleBase(pceUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(pceUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;

  // Never carry credentials into a mail.
  return `${url.protocol}//${url.host}`;
}

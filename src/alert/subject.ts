/**
 * The subject line: prefix, how many alerts, and the worst one, e.g.
 * `[Illumio Monitor] 3 alerts - CRITICAL Agent tampering on app01`.
 */
import type { Alert } from '../types.js';
import { clip, oneLine } from './escape.js';
import { talkerSource, worstFirst } from './format.js';
import { strings, type Language } from './i18n.js';

export function renderSubject(alerts: readonly Alert[], prefix: string, language: Language): string {
  const t = strings(language);
  const worst = worstFirst(alerts)[0];
  const head = [oneLine(prefix), t.alerts(alerts.length)].filter(Boolean).join(' ');
  if (!worst) return head;

  const talker = worst.topTalkers[0];
  const host = talker ? clip(hostPart(oneLine(talkerSource(talker))), 80) : undefined;
  const rule = clip(oneLine(worst.ruleName), 100);
  return `${head} - ${t.subjectTail(t.severity[worst.severity], rule, host || undefined)}`;
}

/** `app01 (10.0.0.5)` -> `app01`: the subject names the host, the body has the rest. */
function hostPart(source: string): string {
  const match = /^(.+?)\s+\([^()]*\)$/.exec(source.trim());
  return match?.[1] ?? source;
}

/** The `rules list` table: plain text, aligned columns, no colour. */
import type { Rule } from '../types.js';

const HEADERS = ['ID', 'TYPE', 'SEVERITY', 'THRESHOLD/WINDOW', 'COOLDOWN', 'ENABLED', 'NAME'];

export function rulesTable(rules: readonly Rule[]): string {
  const rows = rules.map((r) => [
    r.id,
    r.type,
    r.severity,
    `${r.threshold} in ${r.windowMinutes}m`,
    `${r.cooldownMinutes}m`,
    r.enabled === false ? 'no' : 'yes',
    r.name,
  ]);

  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(HEADERS), ...rows.map(line)].join('\n');
}

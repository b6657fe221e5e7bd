/**
 * One CSV attachment per alert with every matched record (up to
 * `email.csvMaxRows`). RFC 4180 quoting, CRLF line ends, a UTF-8 BOM so
 * spreadsheet programs read non-ASCII names, and formula neutralisation: a
 * PCE string such as `=HYPERLINK(...)` must stay text when opened.
 */
import type { Alert } from '../types.js';
import { safeFilename } from './format.js';
import type { Attachment } from './model.js';
import { isCsvRow, recordColumns } from './records.js';

export interface CsvResult {
  attachment: Attachment;
  total: number;
  written: number;
  capped: boolean;
}

export function buildCsv(alert: Alert, maxRows: number): CsvResult | undefined {
  if (alert.records.length === 0) return undefined;

  const columns = recordColumns(alert.ruleType);
  const kept = alert.records.slice(0, Math.max(0, maxRows));
  const lines = [columns.map((c) => csvCell(c.name)).join(',')];
  for (const record of kept) {
    const cells = isCsvRow(record) ? record.csvCells : columns.map((c) => c.get(record));
    lines.push(cells.map(csvCell).join(','));
  }

  return {
    attachment: {
      filename: safeFilename(alert.ruleId, 'csv'),
      content: `\uFEFF${lines.join('\r\n')}\r\n`,
      contentType: 'text/csv; charset=utf-8',
    },
    total: alert.records.length,
    written: kept.length,
    capped: kept.length < alert.records.length,
  };
}

/** Quote when needed; a leading = + - @ (or tab/CR) gets a `'` so it is never a formula. */
export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text)) text = `"${text.replace(/"/g, '""')}"`;
  return text;
}

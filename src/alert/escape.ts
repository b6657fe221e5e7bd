/**
 * The one escaping function for HTML text and attribute values. Every string
 * that reaches the HTML part goes through it: hostnames, labels, user names
 * and raw records come from the PCE (and from whoever named a workload).
 */
const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch] ?? ch);
}

/** A single line for headers and table cells: control characters become spaces. */
export function oneLine(value: unknown): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return String(value ?? '').replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

/** Cut a string to at most `max` characters, marking the cut. */
export function clip(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

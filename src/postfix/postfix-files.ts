/**
 * Read-only parsing of Postfix's main.cf and master.cf, enough to tell
 * whether a setting already has the value we want (so a second run changes
 * nothing). Writing is left to `postconf`, which knows the format best.
 */

/** Parameters set in main.cf; a later line wins, as in Postfix. */
export function parseMainCf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const match = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(line);
    if (match?.[1]) out.set(match[1], (match[2] ?? '').trim());
  }
  return out;
}

export interface MasterEntry {
  service: string;
  type: string;
  /** The five columns after service and type: private unpriv chroot wakeup maxproc. */
  chroot: string;
}

/** Service entries of master.cf, keyed `service/type`. */
export function parseMasterCf(text: string): Map<string, MasterEntry> {
  const out = new Map<string, MasterEntry>();
  for (const line of logicalLines(text)) {
    const [service, type, , , chroot] = line.split(/\s+/);
    if (service && type && chroot) out.set(`${service}/${type}`, { service, type, chroot });
  }
  return out;
}

/**
 * Postfix's logical lines: a line starting with whitespace continues the
 * previous one; blank lines and lines whose first non-blank is `#` are
 * ignored (and do not end a logical line).
 */
export function logicalLines(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (/^\s/.test(raw) && lines.length > 0) lines[lines.length - 1] += ` ${trimmed}`;
    else lines.push(trimmed);
  }
  return lines;
}

/** Values compare equal when they list the same words (Postfix splits on blanks and commas). */
export function sameValue(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const words = (s: string) => s.split(/[\s,]+/).filter(Boolean).join(' ');
  return words(a) === words(b);
}

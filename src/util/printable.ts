/**
 * PCE strings (hostnames, labels, user names, health messages) shown as one
 * line: control characters (line breaks included) and the bidirectional
 * overrides that can make text read backwards are written as `\xNN` /
 * `\uNNNN`, so a record cannot forge extra lines or disguise itself in the
 * terminal, the summary or the email.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

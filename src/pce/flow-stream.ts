/**
 * Split a JSON download that is one top-level array into its records as
 * the bytes arrive, and JSON.parse each record on its own. Memory holds one
 * record at a time (plus the current chunk), never the whole body, so a
 * 2 GB Explorer result is read on a small VM. Chosen over a token-level
 * streaming parser by measurement (see README "Benchmark"): the native
 * JSON.parse per record is several times faster than building records
 * from tokens in JavaScript.
 *
 * The splitter only finds where each record ends (string, escape and
 * bracket state, carried across chunk boundaries); JSON.parse checks the
 * record itself. Anything outside the records is checked here: only
 * whitespace, commas and one closing bracket, then only whitespace.
 */

/** Why a download could not be read as a list of records. */
export class FlowStreamError extends Error {
  override name = 'FlowStreamError';
}

/** One record may not grow past this: a body with no end to a record is not a flow list. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_SQUARE = 0x5b;
const CLOSE_SQUARE = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;

type Phase = 'not-a-list' | 'start' | 'value-or-end' | 'value' | 'comma-or-end' | 'in-value' | 'done';

export class JsonArraySplitter {
  private phase: Phase = 'start';
  /** Bytes of the current record from earlier chunks. */
  private parts: Buffer[] = [];
  private partBytes = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The current record is a bare number or literal (ends at a delimiter). */
  private bare = false;
  private offset = 0;
  private head = '';
  /** Where the current record starts in this chunk; -1 when it began in an earlier one. */
  private valueStart = -1;
  /** Next backslash at or after the scan position in this chunk (-2: not looked yet, -1: none). */
  private slashAt = -2;
  /** Records handed over so far. */
  count = 0;

  constructor(private readonly onRecord: (record: unknown) => void) {}

  /** Feed the next chunk; throws FlowStreamError at the first problem. */
  push(chunk: Buffer): void {
    if (this.head.length < 200) this.head += chunk.toString('utf8', 0, 200);
    if (this.phase === 'not-a-list') return this.judge(false);
    this.slashAt = -2;
    let i = 0;
    while (i < chunk.length) {
      i = this.phase === 'in-value' ? this.scanValue(chunk, i) : this.between(chunk, i);
    }
    this.offset += chunk.length;
  }

  /** The body is complete: throws unless the array was closed. */
  end(): void {
    if (this.phase === 'done') return;
    if (this.phase === 'not-a-list') return this.judge(true);
    if (this.phase === 'start') throw new FlowStreamError('an empty body');
    throw new FlowStreamError(`a body cut short after ${this.offset} bytes (${this.count} records read, the list was never closed)`);
  }

  /** Outside any record: whitespace, `[`, `,`, `]`, and the start of a record. */
  private between(buf: Buffer, start: number): number {
    let i = start;
    for (; i < buf.length; i++) {
      const c = buf[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;

      if (this.phase === 'start') {
        if (c === OPEN_CURLY) throw new FlowStreamError('JSON that is not a list of flows');
        if (c !== OPEN_SQUARE) {
          // Wait for a few more bytes: they tell CSV from other text.
          this.phase = 'not-a-list';
          this.judge(false);
          return buf.length;
        }
        this.phase = 'value-or-end';
      } else if (this.phase === 'done') {
        throw new FlowStreamError(`data after the end of the list at byte ${this.offset + i}`);
      } else if (this.phase === 'comma-or-end' && c === COMMA) {
        this.phase = 'value';
      } else if (this.phase !== 'value' && c === CLOSE_SQUARE) {
        this.phase = 'done';
      } else if (this.phase === 'comma-or-end') {
        throw new FlowStreamError(`a missing comma between records ${this.count} and ${this.count + 1} at byte ${this.offset + i}`);
      } else {
        return this.startValue(buf, i, c);
      }
    }
    return i;
  }

  private startValue(buf: Buffer, i: number, c: number): number {
    if (c === CLOSE_SQUARE || c === COMMA) throw new FlowStreamError(`a missing record at byte ${this.offset + i}`);

    this.phase = 'in-value';
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.bare = c !== OPEN_CURLY && c !== OPEN_SQUARE && c !== QUOTE;
    this.valueStart = i;
    return this.bare ? this.scanBare(buf, i) : this.scanValue(buf, i);
  }

  /** Scan a record from i: returns where scanning stopped (the chunk's end, or just past the record). */
  private scanValue(buf: Buffer, from: number): number {
    if (this.bare) return this.scanBare(buf, from);
    const start = this.valueStart === -1 ? 0 : this.valueStart;
    let i = from;
    let depth = this.depth;

    while (i < buf.length) {
      if (this.inString) {
        i = this.skipString(buf, i);
        if (this.inString) break;
        if (depth === 0) return this.finish(buf, start, i);
        continue;
      }

      const c = buf[i++]!;
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_CURLY || c === OPEN_SQUARE) depth++;
      else if ((c === CLOSE_CURLY || c === CLOSE_SQUARE) && --depth === 0) {
        this.depth = 0;
        return this.finish(buf, start, i);
      }
    }

    this.depth = depth;
    this.keep(buf, start, buf.length);
    return buf.length;
  }

  /**
   * Inside a string: jump to the next quote with indexOf, and look for a
   * backslash only before it. Returns the index after the closing quote,
   * or buf.length with inString still set.
   */
  private skipString(buf: Buffer, from: number): number {
    let i = from;
    if (this.escaped) {
      this.escaped = false;
      i++;
    }

    while (i < buf.length) {
      const quote = buf.indexOf(QUOTE, i);
      const end = quote === -1 ? buf.length : quote;
      if (this.slashAt !== -1 && this.slashAt < i) this.slashAt = buf.indexOf(BACKSLASH, i);
      const slash = this.slashAt;
      if (slash !== -1 && slash < end) {
        i = slash + 2;
        if (i > buf.length) this.escaped = true;
        continue;
      }
      if (quote === -1) return buf.length;
      this.inString = false;
      return quote + 1;
    }
    return buf.length;
  }

  /** A number, true, false or null ends at a comma, bracket or whitespace. */
  private scanBare(buf: Buffer, from: number): number {
    const start = this.valueStart === -1 ? 0 : this.valueStart;
    for (let i = from; i < buf.length; i++) {
      const c = buf[i]!;
      if (c === COMMA || c === CLOSE_SQUARE || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return this.finish(buf, start, i);
    }
    this.keep(buf, start, buf.length);
    return buf.length;
  }

  private keep(buf: Buffer, start: number, end: number): void {
    this.parts.push(buf.subarray(start, end));
    this.partBytes += end - start;
    this.valueStart = -1;
    if (this.partBytes > MAX_RECORD_BYTES) {
      throw new FlowStreamError(`record ${this.count + 1} longer than ${MAX_RECORD_BYTES} bytes at byte ${this.offset}`);
    }
  }

  private finish(buf: Buffer, start: number, end: number): number {
    let text: string;
    if (this.parts.length === 0) {
      text = buf.toString('utf8', start, end);
    } else {
      this.parts.push(buf.subarray(start, end));
      text = Buffer.concat(this.parts).toString('utf8');
      this.parts = [];
      this.partBytes = 0;
    }

    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      throw new FlowStreamError(`record ${this.count + 1} that is not JSON (ends at byte ${this.offset + end})`);
    }
    this.count++;
    this.phase = 'comma-or-end';
    this.onRecord(record);
    return end;
  }

  private judge(ended: boolean): void {
    if (!ended && this.head.length < 200) return;
    const csv = /^[^[{]*,/.test(this.head.trimStart().slice(0, 200));
    throw new FlowStreamError(csv ? 'CSV instead of JSON' : 'a body that is not JSON');
  }
}

/**
 * Where a JSON text goes wrong, as an offset. V8 names the position for most
 * errors but not all (`Unexpected token ... is not valid JSON` has none), and
 * its message quotes the text, which can hold a secret. This small scanner
 * runs only after JSON.parse failed and reports the offset and a reason that
 * quotes nothing.
 */

export interface JsonFault {
  offset: number;
  reason: string;
}

class Fault extends Error {
  constructor(readonly offset: number, readonly reason: string) {
    super(reason);
  }
}

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonFault(text: string): JsonFault | undefined {
  let i = 0;

  const fail = (reason: string): never => {
    throw new Fault(i, i >= text.length ? 'the file ends too early; look for an unclosed {, [ or string' : reason);
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i] ?? '')) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail('unexpected text; strings need double quotes, and true, false and null are lower case');
  };

  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('a line break or control character inside a string (missing closing quote?)');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 4;
        else if (!'"\\/bfnrt'.includes(text[i] ?? 'x') || text[i] === undefined) fail('a bad escape (\\) inside a string');
      }
      i++;
    }
    if (i >= text.length) fail('');
    i++;
  };

  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '' || m[0] === '-') fail('a malformed number');
    i += m?.[0].length ?? 0;
  };

  const members = (close: string, item: () => void, what: string) => {
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      ws();
      if (text[i] === ',') {
        i++;
        ws();
        if (text[i] === close) fail('a trailing comma before the closing bracket');
        continue;
      }
      if (text[i] === close) return void i++;
      fail(`a missing comma or closing ${close} after ${what}`);
    }
  };

  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') return members('}', property, 'a property');
    if (c === '[') return members(']', value, 'an item');
    if (c === '"') return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    fail(c === "'" ? "single quotes; JSON needs double quotes" : 'a value was expected here');
  };

  const property = () => {
    ws();
    if (text[i] !== '"') fail(text[i] === '}' ? 'a trailing comma' : 'a property name in double quotes was expected');
    string();
    ws();
    if (text[i] !== ':') fail("a ':' after the property name was expected");
    i++;
    value();
  };

  try {
    value();
    ws();
    if (i < text.length) fail('extra text after the end of the JSON');
    return undefined;
  } catch (err) {
    if (err instanceof Fault) return { offset: err.offset, reason: err.reason };
    throw err;
  }
}

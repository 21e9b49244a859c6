/**
 * Where a JSON text goes wrong, for the message of an unparsable trace. JSON.parse says what is wrong but, in
 * the Node versions we run on, not always where; this scanner (RFC 8259 grammar, no values built) is run only
 * after JSON.parse has failed, to find the line and column of the first error.
 */

/** The first syntax error: 1-based line and column, and what was expected there. */
export interface JsonSyntaxError {
  line: number;
  column: number;
  message: string;
}

class Stop extends Error {
  constructor(readonly pos: number, message: string) {
    super(message);
  }
}

/** Scans `text` as JSON; returns the first syntax error, or undefined when the text is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const found = (): string => (i >= text.length ? 'the end of the text' : JSON.stringify(text[i]));
  const fail = (expected: string): never => { throw new Stop(i, `expected ${expected}, found ${found()}`); };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail('a value');
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('a closing "');
      const c = text[i] as string;
      if (c === '"') { i++; return; }
      if (c < ' ') fail('a character (control characters must be escaped)');
      if (c === '\\') {
        i++;
        const e = text[i];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('4 hex digits after \\u');
          i += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail('an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!m || m[0] === '' || m[0] === '-') fail('a value');
    else i += m[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') object();
    else if (c === '[') array();
    else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail('a value');
  };
  const object = (): void => {
    i++;
    ws();
    if (text[i] === '}') { i++; return; }
    for (;;) {
      ws();
      if (text[i] !== '"') fail('a "quoted" field name');
      string();
      ws();
      if (text[i] !== ':') fail('":"');
      i++;
      value();
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === '}') { i++; return; }
      fail('"," or "}"');
    }
  };
  const array = (): void => {
    i++;
    ws();
    if (text[i] === ']') { i++; return; }
    for (;;) {
      value();
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === ']') { i++; return; }
      fail('"," or "]"');
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail('the end of the text');
    return undefined;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.pos);
    return { line: before.split('\n').length, column: err.pos - before.lastIndexOf('\n'), message: err.message };
  }
}

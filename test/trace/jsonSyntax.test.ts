import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../src/trace/jsonSyntax.ts';

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('findJsonSyntaxError', () => {
  it('agrees with JSON.parse on valid documents', () => {
    fc.assert(fc.property(fc.json(), (text) => findJsonSyntaxError(text) === undefined), { numRuns: 500 });
  });

  it('agrees with JSON.parse on damaged documents (a character deleted, inserted or replaced)', () => {
    const damaged = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', '\\', 'x', '0', '-', ' ', '\n'), fc.boolean())
      .map(([text, at, ch, insert]) => {
        const i = text.length === 0 ? 0 : at % text.length;
        return text.slice(0, i) + ch + text.slice(insert ? i : i + 1);
      });
    fc.assert(fc.property(damaged, (text) => (findJsonSyntaxError(text) === undefined) === parses(text)), { numRuns: 2000 });
  });

  it('gives the line and column of the first error', () => {
    expect(findJsonSyntaxError('{\n  "a": [1, 2,]\n}')).toEqual({ line: 2, column: 14, message: 'expected a value, found "]"' });
    expect(findJsonSyntaxError('')).toEqual({ line: 1, column: 1, message: 'expected a value, found the end of the text' });
    expect(findJsonSyntaxError('{"a" 1}')).toEqual({ line: 1, column: 6, message: 'expected ":", found "1"' });
    expect(findJsonSyntaxError('[01]')).toEqual({ line: 1, column: 3, message: 'expected "," or "]", found "1"' });
    expect(findJsonSyntaxError('"\\x"')?.message).toMatch(/^expected an escape/);
  });
});

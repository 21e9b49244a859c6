import { describe, expect, it } from 'vitest';
import { fieldPath, locate } from '../../src/trace/errors.ts';

describe('locate', () => {
  it('splits a JSON pointer into the step index and the field path', () => {
    expect(locate('/steps/3/allowed_iovas/1/start')).toEqual({ step: 3, field: 'allowed_iovas[1].start' });
    expect(locate('/steps/0')).toEqual({ step: 0 });
    expect(locate('/config/memfds/0/pages')).toEqual({ field: 'config.memfds[0].pages' });
    expect(locate('')).toEqual({});
    expect(locate('/a~1b/c~0d')).toEqual({ field: 'a/b.c~d' });
  });

  it('writes array indexes in brackets', () => {
    expect(fieldPath(['steps', '2', 'expect_out', 'iova'])).toBe('steps[2].expect_out.iova');
  });
});

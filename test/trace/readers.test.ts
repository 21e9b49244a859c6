import { describe, expect, it } from 'vitest';
import { ResolvingReader, Unresolved } from '../../src/trace/readers.ts';
import type { RuntimeEnv } from '../../src/trace/readers.ts';

const env = (): RuntimeEnv => ({
  fds: { iommufd: 3, memfds: { guest: 10 }, devices: { dev0: 20 } },
  labels: new Map([['ioas', { kind: 'object', value: 1, step: 0 }], ['sess', { kind: 'fd', value: 30, step: 1 }]]),
  unbound: new Map([['hwpt', 'step 4 (IOMMU_HWPT_ALLOC), which binds it, failed with EINVAL']]),
  kexec: null,
  liveupdate: null,
});

describe('ResolvingReader', () => {
  it('resolves numbers, labels, config names and the implicit iommufd', () => {
    const r = new ResolvingReader(env());
    expect(r.id('id', '0x10')).toBe(16);
    expect(r.id('id', 'ioas')).toBe(1);
    expect(r.id('id', undefined)).toBe(0);
    expect(r.fd('fd', 'iommufd')).toBe(3);
    expect(r.fd('fd', 'guest')).toBe(10);
    expect(r.fd('device', 'dev0')).toBe(20);
    expect(r.fd('fd', 'sess')).toBe(30);
    expect(r.u64('iova', '0xffffffffffffffff')).toBe((1n << 64n) - 1n);
    expect(r.flags('flags', ['READABLE', 'WRITEABLE'], { READABLE: 4, WRITEABLE: 2 })).toBe(6);
    expect(r.enumValue('option_op', 'GET', { SET: 0, GET: 1 })).toBe(1);
  });

  it('throws Unresolved, saying why, for a label without a value or of the wrong kind', () => {
    const r = new ResolvingReader(env());
    expect(() => r.id('pt_id', 'hwpt')).toThrow(new Unresolved('pt_id', 'hwpt', 'step 4 (IOMMU_HWPT_ALLOC), which binds it, failed with EINVAL'));
    expect(() => r.id('id', 'sess')).toThrow(Unresolved);
    expect(() => r.fd('fd', 'ioas')).toThrow(Unresolved);
  });

  it('does not take object prototype names for config names', () => {
    const r = new ResolvingReader(env());
    expect(() => r.fd('fd', 'constructor')).toThrow(Unresolved);
  });
});

/** `failure-atomic` (src/invariants/failureAtomic.ts): planted violations, reported under its name only. */
import { describe, expect, it } from 'vitest';
import { checkStep } from '../../src/invariants/index.ts';
import { syscall, type Syscall } from '../../src/kernel/index.ts';
import { MOCK_APERTURE, P } from '../kernel/harness.ts';
import { copy, ioasOf, names, smallWorld } from './plant.ts';

const A = MOCK_APERTURE[0];

describe('failure-atomic', () => {
  it('reports a failed call that hands back a changed kernel', () => {
    const w = smallWorld();
    const changed = copy(w.k);
    ioasOf(changed).allowed.push({ start: A + 0x100000n, last: A + 0x1fffffn });
    const call: Syscall = w.allow(1, [[A + 0x100000n, A + 0x1fffffn]]);
    const v = checkStep(w.k, call, { ok: false, errno: 'EADDRINUSE', rule: 'iopt_set_allow_iova:reserved-intersects', kernel: changed });
    expect(names(v)).toEqual(['failure-atomic']);
  });
  it('accepts the kernel\'s own partial unmap, and reports one that removed an area it must not', () => {
    const w = smallWorld();
    w.ok(w.mapFixed(1, A + 8n * P, 4n * P));
    const call = w.unmap(1, A, 10n * P);
    const real = syscall(w.k, call);
    expect(!real.ok && 'partial' in real && real.partial).toBe(true);
    expect(checkStep(w.k, call, real)).toEqual([]);
    if (real.ok || !('kernel' in real) || !real.kernel) throw new Error('no partial kernel');
    const worse = copy(real.kernel);
    ioasOf(worse).areas = [];
    const v = checkStep(w.k, call, { ...real, kernel: worse });
    expect(names(v).filter((n) => n === 'failure-atomic')).toEqual(['failure-atomic']);
  });
  it('reports a partial result from an ioctl other than IOMMU_IOAS_UNMAP', () => {
    const w = smallWorld();
    const changed = copy(w.k);
    changed.process.buffers = [];
    const v = checkStep(w.k, w.map({ ioas_id: 1, length: P }), { ok: false, errno: 'EFAULT', rule: 'pfn_reader_user_pin:fault', kernel: changed, partial: true });
    expect(names(v)).toEqual(['failure-atomic']);
  });
  it('reports a not-modelled refusal that carries a kernel', () => {
    const w = smallWorld();
    const v = checkStep(w.k, w.close(3), { ok: false, notModelled: true, reason: 'x', rule: 'not-modelled', kernel: w.k } as never);
    expect(names(v)).toEqual(['failure-atomic']);
  });
});

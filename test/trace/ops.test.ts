/**
 * The op table: every step becomes the UAPI struct the selftest helpers would pass (absent fields 0, flag names
 * to bits, labels and names to ids and fds), and the table agrees with the schema generated from types.ts.
 */
import { describe, expect, it } from 'vitest';
import traceSchema from '../../src/trace/schemas/trace.schema.json' with { type: 'json' };
import { OPS, OP_NAMES, opSpec } from '../../src/trace/ops.ts';
import { ResolvingReader } from '../../src/trace/readers.ts';
import type { RuntimeEnv } from '../../src/trace/readers.ts';
import type { Step } from '../../src/trace/types.ts';

const env = (): RuntimeEnv => ({
  fds: { iommufd: 3, memfds: { guest: 10 }, devices: { dev0: 20 } },
  labels: new Map([
    ['ioas', { kind: 'object', value: 5, step: 0 }],
    ['hwpt', { kind: 'object', value: 7, step: 1 }],
    ['fd2', { kind: 'fd', value: 42, step: 2 }],
  ]),
  unbound: new Map(),
  kexec: null,
  liveupdate: null,
});
const call = (step: Step): unknown => {
  const spec = opSpec(step);
  if (spec.kind !== 'syscall') throw new Error(`${step.op} is not a syscall op`);
  return spec.toSyscall(step, new ResolvingReader(env()));
};

type Def = { properties?: Record<string, { $ref?: string; const?: string }>; oneOf?: { $ref: string }[] };
const defs = (traceSchema as unknown as { definitions: Record<string, Def> }).definitions;
const stepDefs = (defs['Step']?.oneOf ?? []).map((r) => defs[r.$ref.replace('#/definitions/', '')] as Def);

describe('OPS and the schema', () => {
  it('cover the same ops', () => {
    expect(stepDefs.map((d) => d.properties?.['op']?.const).sort()).toEqual([...OP_NAMES].sort());
  });

  it('agree on which steps take "as" and which output fields expect_out may check', () => {
    for (const d of stepDefs) {
      const op = d.properties?.['op']?.const as keyof typeof OPS;
      const spec = OPS[op];
      expect('as' in (d.properties ?? {}), `${op}: "as" in schema vs binds in ops.ts`).toBe(spec.binds !== undefined);
      const outRef = d.properties?.['expect_out']?.$ref;
      const outFields = outRef ? Object.keys(defs[outRef.replace('#/definitions/', '')]?.properties ?? {}) : [];
      expect(outFields.sort(), `${op}: expect_out fields`).toEqual(Object.keys(spec.out).sort());
      if (spec.binds) expect(Object.keys(spec.out)).toContain(spec.binds.out);
    }
  });
});

describe('toSyscall', () => {
  it('zeroes absent fields and ORs flag names, as the selftest helpers build the struct', () => {
    expect(call({ op: 'IOMMU_IOAS_MAP', ioas_id: 'ioas', user_va: '0x7f0000000000', length: 4096, flags: ['FIXED_IOVA', 'READABLE', 'WRITEABLE'] }))
      .toEqual({ op: 'IOMMU_IOAS_MAP', fd: 3, arg: { flags: 7, ioas_id: 5, __reserved: 0, user_va: 0x7f0000000000n, length: 4096n, iova: 0n } });
    expect(call({ op: 'IOMMU_IOAS_MAP', ioas_id: 1, user_va: 0, length: 1 }))
      .toEqual({ op: 'IOMMU_IOAS_MAP', fd: 3, arg: { flags: 0, ioas_id: 1, __reserved: 0, user_va: 0n, length: 1n, iova: 0n } });
    expect(call({ op: 'IOMMU_IOAS_MAP', ioas_id: 1, user_va: 0, length: 1, flags: 0x80 }))
      .toMatchObject({ arg: { flags: 0x80 } });
  });

  it('keeps u64 values exact over the whole range', () => {
    expect(call({ op: 'IOMMU_IOAS_UNMAP', ioas_id: '0x5', iova: 0, length: '0xffffffffffffffff' }))
      .toEqual({ op: 'IOMMU_IOAS_UNMAP', fd: 3, arg: { ioas_id: 5, iova: 0n, length: 18446744073709551615n } });
  });

  it('converts every other op', () => {
    expect(call({ op: 'IOMMU_DESTROY', id: 'hwpt' })).toEqual({ op: 'IOMMU_DESTROY', fd: 3, arg: { id: 7 } });
    expect(call({ op: 'IOMMU_IOAS_ALLOC', iommufd: 'fd2' })).toEqual({ op: 'IOMMU_IOAS_ALLOC', fd: 42, arg: { flags: 0 } });
    expect(call({ op: 'IOMMU_IOAS_ALLOW_IOVAS', ioas_id: 'ioas', allowed_iovas: [{ start: 4096, last: '0x1fff' }] })).toEqual({
      op: 'IOMMU_IOAS_ALLOW_IOVAS', fd: 3, arg: { ioas_id: 5, num_iovas: 1, __reserved: 0, allowed_iovas: [{ start: 4096n, last: 0x1fffn }] },
    });
    expect(call({ op: 'IOMMU_IOAS_ALLOW_IOVAS', ioas_id: 'ioas', allowed_iovas: [], num_iovas: 3 })).toMatchObject({ arg: { num_iovas: 3, allowed_iovas: [] } });
    expect(call({ op: 'IOMMU_IOAS_COPY', src_ioas_id: 'ioas', dst_ioas_id: 6, length: 4096, src_iova: 8192, flags: ['READABLE'] })).toEqual({
      op: 'IOMMU_IOAS_COPY', fd: 3, arg: { flags: 4, dst_ioas_id: 6, src_ioas_id: 5, length: 4096n, dst_iova: 0n, src_iova: 8192n },
    });
    expect(call({ op: 'IOMMU_IOAS_IOVA_RANGES', ioas_id: 'ioas', num_iovas: 2 }))
      .toEqual({ op: 'IOMMU_IOAS_IOVA_RANGES', fd: 3, arg: { ioas_id: 5, num_iovas: 2, __reserved: 0 } });
    expect(call({ op: 'IOMMU_IOAS_MAP_FILE', ioas_id: 'ioas', fd: 'guest', start: 8192, length: 4096, flags: ['READABLE'] })).toEqual({
      op: 'IOMMU_IOAS_MAP_FILE', fd: 3, arg: { flags: 4, ioas_id: 5, fd: 10, start: 8192n, length: 4096n, iova: 0n },
    });
    expect(call({ op: 'IOMMU_OPTION', option_id: 'HUGE_PAGES', option_op: 'SET', object_id: 'ioas', val64: 0 }))
      .toEqual({ op: 'IOMMU_OPTION', fd: 3, arg: { option_id: 1, op: 0, __reserved: 0, object_id: 5, val64: 0n } });
    expect(call({ op: 'IOMMU_OPTION', option_id: 0, option_op: 'GET' }))
      .toEqual({ op: 'IOMMU_OPTION', fd: 3, arg: { option_id: 0, op: 1, __reserved: 0, object_id: 0, val64: 0n } });
    expect(call({ op: 'IOMMU_HWPT_ALLOC', dev_id: 'hwpt', pt_id: 'ioas', flags: ['NEST_PARENT', 'DIRTY_TRACKING'], data_type: 'SELFTEST', data_len: 4 })).toEqual({
      op: 'IOMMU_HWPT_ALLOC', fd: 3, arg: { flags: 3, dev_id: 7, pt_id: 5, __reserved: 0, data_type: 0xdead, data_len: 4, fault_id: 0 },
    });
    expect(call({ op: 'IOMMU_TEST_OP_ADD_RESERVED', ioas_id: 'ioas', start: 4096, length: 8192 }))
      .toEqual({ op: 'IOMMU_TEST_OP_ADD_RESERVED', fd: 3, arg: { ioas_id: 5, start: 4096n, length: 8192n } });
    expect(call({ op: 'VFIO_DEVICE_BIND_IOMMUFD', device: 'dev0' }))
      .toEqual({ op: 'VFIO_DEVICE_BIND_IOMMUFD', fd: 20, arg: { flags: 0, iommufd: 3 } });
    expect(call({ op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'dev0', pt_id: 'ioas' }))
      .toEqual({ op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', fd: 20, arg: { flags: 0, pt_id: 5, pasid: 0 } });
    expect(call({ op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'dev0', pt_id: 1, flags: ['PASID'], pasid: 7 }))
      .toMatchObject({ arg: { flags: 1, pt_id: 1, pasid: 7 } });
    expect(call({ op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', device: 'dev0' }))
      .toEqual({ op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', fd: 20, arg: { flags: 0, pasid: 0 } });
    expect(call({ op: 'FTRUNCATE', fd: 'guest', length: 0 })).toEqual({ op: 'FTRUNCATE', fd: 10, length: 0n });
    expect(call({ op: 'F_ADD_SEALS', fd: 'guest', seals: ['SEAL', 'GROW', 'SHRINK'] })).toEqual({ op: 'F_ADD_SEALS', fd: 10, seals: 7 });
    expect(call({ op: 'CLOSE', fd: 'iommufd' })).toEqual({ op: 'CLOSE', fd: 3 });
  });
});

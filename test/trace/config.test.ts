import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/trace/config.ts';
import type { TraceInputError } from '../../src/trace/errors.ts';
import type { TraceConfig } from '../../src/trace/types.ts';

const read = (config: TraceConfig): { errors: string[]; result: ReturnType<typeof readConfig> } => {
  const errs: TraceInputError[] = [];
  const result = readConfig('t', config, errs);
  return { errors: errs.map((e) => `${'field' in e ? e.field ?? '' : ''}: ${e.message}`), result };
};

describe('readConfig', () => {
  it('converts to kernel units with the defaults', () => {
    const { errors, result } = read({
      memfds: [{ name: 'guest', pages: '0x10' }],
      buffers: [{ name: 'buf', va: '0x7f0000000000', pages: 8, holes: [2, 5] }],
      devices: [{ name: 'mock', aperture: ['0x1000000', '0x7fffffff'], pgsize: 2048, dirty_tracking: false }, { name: 'pci' }],
      rlimit_memlock: 16,
      capabilities: ['SYS_RESOURCE'],
    });
    expect(errors).toEqual([]);
    expect(result.world).toEqual({
      pageSize: 4096n,
      memfds: [{ name: 'guest', pages: 16 }],
      buffers: [{ name: 'buf', va: 0x7f0000000000n, pages: 8, holes: [2, 5] }],
      devices: [{ name: 'mock', aperture: [0x1000000n, 0x7fffffffn], pgsize: 2048n, dirtyTracking: false }, { name: 'pci' }],
      rlimitMemlock: 16,
      capabilities: { ipcLock: false, sysResource: true },
    });
    expect([...result.names.memfds, ...result.names.buffers, ...result.names.devices]).toEqual(['guest', 'buf', 'mock', 'pci']);
    expect(read({}).result.world).toEqual({ pageSize: 4096n, memfds: [], buffers: [], devices: [] });
  });

  it('refuses duplicate names across memfds, buffers and devices, and the name iommufd', () => {
    expect(read({ memfds: [{ name: 'a', pages: 1 }, { name: 'iommufd', pages: 1 }], devices: [{ name: 'a' }] }).errors).toEqual([
      'config.memfds[1].name: name "iommufd" is already taken by the implicit iommufd',
      'config.devices[0].name: name "a" is already taken by config.memfds[0].name',
    ]);
  });

  it('refuses a page size that is not a power of two', () => {
    expect(read({ pageSize: 3000 }).errors).toEqual(['config.pageSize: 3000 is not a power of two']);
    expect(read({ pageSize: 0 }).errors).toEqual(['config.pageSize: 0 is not a power of two']);
    expect(read({ pageSize: '0x10000' }).errors).toEqual([]);
  });

  it('refuses unaligned, overlapping and wrapping buffers and holes outside them', () => {
    expect(read({
      buffers: [
        { name: 'a', va: 4097, pages: 1 },
        { name: 'b', va: '0x10000', pages: 4, holes: [4, 1, 1] },
        { name: 'c', va: '0x12000', pages: 4 },
        { name: 'd', va: '0xfffffffffffff000', pages: 2 },
      ],
    }).errors).toEqual([
      'config.buffers[0].va: 0x1001 is not aligned to the page size (4096)',
      'config.buffers[1].holes[0]: page index 4 is outside the buffer (4 pages)',
      'config.buffers[1].holes[2]: page index 1 is listed twice',
      'config.buffers[3].pages: the buffer runs past the end of the address space',
      'config.buffers[2]: overlaps buffer "b"',
    ]);
  });

  it('refuses an aperture with start above last and an empty pgsize bitmap', () => {
    expect(read({ devices: [{ name: 'd', aperture: [8192, 4096], pgsize: 0 }] }).errors).toEqual([
      'config.devices[0].aperture: start 0x2000 is above last 0x1000',
      'config.devices[0].pgsize: the pgsize bitmap is empty',
    ]);
  });

  it('refuses a capability listed twice', () => {
    expect(read({ capabilities: ['IPC_LOCK', 'IPC_LOCK'] }).errors).toEqual(['config.capabilities[1]: IPC_LOCK is listed twice']);
    expect(read({ capabilities: [] }).result.world.capabilities).toEqual({ ipcLock: false, sysResource: false });
  });

  it('refuses a memlock limit beyond 2^53-1 pages', () => {
    expect(read({ rlimit_memlock: '0xffffffffffffffff' }).errors).toEqual([
      'config.rlimit_memlock: "0xffffffffffffffff" is out of range for a page count up to 2^53-1 (at most 9007199254740991 = 0x1fffffffffffff)',
    ]);
  });
});

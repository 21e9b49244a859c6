/**
 * The syscall boundary (src/kernel/syscall.ts): booting a world, fd numbers, dispatch by file kind, purity, and the
 * refusal of what the model does not implement.
 */
import { describe, expect, it } from 'vitest';
import { bootKernel, syscall, WorldConfigError, type Syscall } from '../../src/kernel/index.ts';
import { BUF_VA, P, World, config, deepFreeze, mockDev } from './harness.ts';

describe('bootKernel', () => {
  it('opens /dev/iommu at fd 3, then the memfds, then the device cdevs; nothing is in memory yet', () => {
    const b = bootKernel(config({ memfds: [{ name: 'a', pages: 2 }, { name: 'b', pages: 1 }], devices: [mockDev('m'), { name: 'p' }] }));
    expect(b.fds).toEqual({ iommufd: 3, memfds: { a: 4, b: 5 }, devices: { m: 6, p: 7 } });
    expect(b.kernel.frames).toEqual([]);
    expect(b.kernel.devices.map((d) => [d.name, d.driver])).toEqual([['m', 'mock'], ['p', 'pci']]);
    expect(b.kernel.process.capIpcLock).toBe(true);
  });
  it('an rlimit_memlock makes the process unprivileged', () => {
    const b = bootKernel(config({ rlimitMemlock: 16 }));
    expect([b.kernel.process.capIpcLock, b.kernel.process.capSysResource, b.kernel.process.rlimitMemlock]).toEqual([false, false, 16]);
  });
  it('refuses a config it cannot boot, naming the field', () => {
    expect(() => bootKernel(config({ pageSize: 3000n }))).toThrow(WorldConfigError);
    expect(() => bootKernel(config({ pageSize: 1024n }))).toThrow(/pageSize/);
    expect(() => bootKernel(config({ buffers: [{ name: 'x', va: 0x1001n, pages: 1, holes: [] }] }))).toThrow(/buffers\[0\]\.va/);
    expect(() => bootKernel(config({ buffers: [{ name: 'x', va: BUF_VA, pages: 1, holes: [3] }] }))).toThrow(/holes/);
    expect(() => bootKernel(config({ memfds: [{ name: 'buf', pages: 1 }] }))).toThrow(/used twice/);
    expect(() => bootKernel(config({ devices: [{ name: 'd', aperture: [5n, 1n] }] }))).toThrow(/aperture/);
    expect(() => bootKernel(config(), 'linux-9.9' as never)).toThrow(/kernel/);
  });
});

describe('syscall', () => {
  it('never mutates its input (deep-frozen) and returns the input kernel object on failure', () => {
    const w = new World();
    const k = deepFreeze(w.k);
    const bad = syscall(k, { op: 'IOMMU_DESTROY', fd: w.ifd, arg: { id: 9 } });
    expect(bad.ok).toBe(false);
    expect('kernel' in bad).toBe(false);
    const good = syscall(k, { op: 'IOMMU_IOAS_ALLOC', fd: w.ifd, arg: { flags: 0 } });
    expect(good.ok && good.kernel !== k).toBe(true);
  });
  it('is deterministic: the same calls give equal kernels', () => {
    const calls = (w: World): void => {
      const ioas = w.newIoas();
      w.bindAttach('m', ioas);
      w.ok(w.map({ ioas_id: ioas, length: 4n * P }));
    };
    const a = new World(config({ devices: [mockDev('m')] }));
    const b = new World(config({ devices: [mockDev('m')] }));
    calls(a);
    calls(b);
    expect(a.k).toEqual(b.k);
  });
  it('an ioctl on a closed fd is EBADF; on a memfd ENOTTY; a VFIO ioctl on the iommufd ENOTTY', () => {
    const w = new World(config({ memfds: [{ name: 'g', pages: 1 }], devices: [mockDev('m')] }));
    w.err({ op: 'IOMMU_IOAS_ALLOC', fd: 42, arg: { flags: 0 } }, 'EBADF', 'fdget:bad-fd');
    w.err({ op: 'IOMMU_IOAS_ALLOC', fd: w.memfd('g'), arg: { flags: 0 } }, 'ENOTTY', 'vfs_ioctl:no-ioctl');
    w.err({ op: 'VFIO_DEVICE_BIND_IOMMUFD', fd: w.ifd, arg: { flags: 0, iommufd: w.ifd } }, 'ENOTTY', 'iommufd_fops_ioctl:unknown');
    w.err(w.close(42), 'EBADF');
    w.ok(w.close(w.memfd('g')), 'close_fd:ok');
    w.err(w.close(w.memfd('g')), 'EBADF');
  });
  it('refuses an op it does not know as not modelled, with the kernel unchanged', () => {
    const w = new World();
    const r = syscall(w.k, { op: 'IOMMU_IOAS_CHANGE_PROCESS', fd: w.ifd, arg: {} } as unknown as Syscall);
    expect(r).toEqual({ ok: false, notModelled: true, reason: 'syscall IOMMU_IOAS_CHANGE_PROCESS is not modelled', rule: 'not-modelled' });
  });
  it('a freed fd number is handed out again lowest first (closing and the next open reuse it)', () => {
    const w = new World(config({ memfds: [{ name: 'g', pages: 1 }] }));
    w.ok(w.close(w.ifd));
    expect(w.k.process.fds.map((f) => f.fd)).toEqual([4]);
  });
});

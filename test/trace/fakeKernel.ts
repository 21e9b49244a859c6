/**
 * A tiny stand-in for the kernel model, for testing the trace layer on its own: IOAS alloc/destroy with the
 * lowest free id, FIXED and automatic maps with EEXIST on overlap, unmap of whole areas with ENOENT when nothing
 * is hit, IOVA_RANGES with EMSGSIZE, bind and attach returning ids, close. It is not the kernel: it only has to
 * give the runner every kind of outcome. Knobs plant what the real model would rarely do on purpose:
 * - a MAP of length 0xdead is refused as not modelled;
 * - an UNMAP of length 0xbad fails with EBUSY after removing the areas that start in its range (a partial failure);
 * - checkStep reports `failure-atomic` after a failed UNMAP of length 1, and `pin-accounting` after a MAP at iova
 *   0x666000.
 * - bootKernel refuses a page size below 2048, naming the field, as the real model does.
 * Every call the api receives is recorded in `calls`.
 */
import type { BootFds, Syscall, SyscallResult, WorldConfig } from '../../src/kernel/index.ts';
import type { KernelApi } from '../../src/trace/index.ts';

export interface FakeArea { ioas: number; iova: bigint; length: bigint }
export interface FakeKernel {
  objects: { id: number; type: 'ioas' | 'device' | 'hwpt' }[];
  areas: FakeArea[];
  closed: number[];
}

const ok = (kernel: FakeKernel, out: Record<string, unknown> = {}): SyscallResult<FakeKernel> => ({ ok: true, kernel, out, rule: 'fake:ok' });
const fail = (errno: 'ENOENT' | 'EEXIST' | 'EBUSY' | 'EMSGSIZE' | 'EBADF', out?: Record<string, unknown>): SyscallResult<FakeKernel> =>
  ({ ok: false, errno, rule: `fake:${errno}`, ...(out ? { out } : {}) });

function lowestFreeId(k: FakeKernel): number {
  let id = 1;
  while (k.objects.some((o) => o.id === id)) id++;
  return id;
}

function addObject(k: FakeKernel, type: FakeKernel['objects'][number]['type']): [FakeKernel, number] {
  const id = lowestFreeId(k);
  return [{ ...k, objects: [...k.objects, { id, type }].sort((a, b) => a.id - b.id) }, id];
}

/** The fake's syscall: pure, like the real one. */
export function fakeSyscall(k: FakeKernel, call: Syscall): SyscallResult<FakeKernel> {
  if ('fd' in call && k.closed.includes(call.fd)) return fail('EBADF');
  switch (call.op) {
    case 'IOMMU_IOAS_ALLOC': {
      const [k2, id] = addObject(k, 'ioas');
      return ok(k2, { out_ioas_id: id });
    }
    case 'IOMMU_DESTROY': {
      if (!k.objects.some((o) => o.id === call.arg.id)) return fail('ENOENT');
      return ok({ ...k, objects: k.objects.filter((o) => o.id !== call.arg.id), areas: k.areas.filter((a) => a.ioas !== call.arg.id) });
    }
    case 'IOMMU_IOAS_MAP': {
      const { ioas_id, length } = call.arg;
      if (length === 0xdeadn) return { ok: false, notModelled: true, reason: 'a map of length 0xdead', rule: 'not-modelled' };
      if (!k.objects.some((o) => o.id === ioas_id && o.type === 'ioas')) return fail('ENOENT');
      const fixed = (call.arg.flags & 1) !== 0;
      const iova = fixed ? call.arg.iova : 0x1000n * BigInt(k.areas.length + 1) * 0x100n;
      if (k.areas.some((a) => a.ioas === ioas_id && a.iova < iova + length && iova < a.iova + a.length)) return fail('EEXIST');
      return ok({ ...k, areas: [...k.areas, { ioas: ioas_id, iova, length }] }, { iova });
    }
    case 'IOMMU_IOAS_UNMAP': {
      const { ioas_id, iova, length } = call.arg;
      const hit = k.areas.filter((a) => a.ioas === ioas_id && a.iova >= iova && a.iova + a.length <= iova + length);
      const rest = k.areas.filter((a) => !hit.includes(a));
      if (length === 0xbadn) {
        // Removes the areas that start in the range, then fails.
        const left = k.areas.filter((a) => !(a.ioas === ioas_id && a.iova >= iova && a.iova < iova + length));
        return { ok: false, errno: 'EBUSY', rule: 'fake:partial', kernel: { ...k, areas: left }, partial: true, out: { length: 0n } };
      }
      if (hit.length === 0) return fail('ENOENT', { length: 0n });
      return ok({ ...k, areas: rest }, { length: hit.reduce((n, a) => n + a.length, 0n) });
    }
    case 'IOMMU_IOAS_IOVA_RANGES': {
      const ranges = [{ start: 0n, last: (1n << 64n) - 1n }];
      const out = { num_iovas: ranges.length, out_iova_alignment: 1n, allowed_iovas: ranges.slice(0, call.arg.num_iovas) };
      return call.arg.num_iovas < ranges.length ? fail('EMSGSIZE', out) : ok(k, out);
    }
    case 'VFIO_DEVICE_BIND_IOMMUFD': {
      const [k2, id] = addObject(k, 'device');
      return ok(k2, { out_devid: id });
    }
    case 'VFIO_DEVICE_ATTACH_IOMMUFD_PT': {
      if (!k.objects.some((o) => o.id === call.arg.pt_id)) return fail('ENOENT');
      const [k2, id] = addObject(k, 'hwpt');
      return ok(k2, { pt_id: id });
    }
    case 'CLOSE':
      return ok({ ...k, closed: [...k.closed, call.fd] });
    default:
      return ok(k);
  }
}

/** A KernelApi over the fake, recording every call it receives. */
export function fakeApi(): KernelApi<FakeKernel> & { calls: Syscall[]; boots: { world: WorldConfig; profile?: string }[] } {
  const calls: Syscall[] = [];
  const boots: { world: WorldConfig; profile?: string }[] = [];
  return {
    calls,
    boots,
    bootKernel(world: WorldConfig, profile?: string): { kernel: FakeKernel; fds: BootFds } {
      boots.push({ world, ...(profile !== undefined ? { profile } : {}) });
      if (world.pageSize < 2048n) throw Object.assign(new Error('pageSize: too small for the fake'), { field: 'pageSize' });
      const memfds = Object.fromEntries(world.memfds.map((m, i) => [m.name, 10 + i]));
      const devices = Object.fromEntries(world.devices.map((d, i) => [d.name, 20 + i]));
      return { kernel: { objects: [], areas: [], closed: [] }, fds: { iommufd: 3, memfds, devices } };
    },
    syscall(kernel, call) {
      calls.push(call);
      return fakeSyscall(kernel, call);
    },
    dma(_kernel, req) {
      // A DMA reaches `guest:<iova / 4096>` below 0x100000 and faults above.
      if (req.iova >= 0x100000n) return { ok: false, fault: true, reason: 'fake: no translation', rule: 'fake:fault' };
      return { ok: true, frame: `guest:${req.iova / 4096n}`, pfn: Number(req.iova / 4096n), rule: 'fake:dma' };
    },
    checkStep(_before, call, result) {
      const v = [];
      if (call.op === 'IOMMU_IOAS_UNMAP' && !result.ok && call.arg.length === 1n) v.push({ invariant: 'failure-atomic', message: 'planted: a failed unmap' });
      if (call.op === 'IOMMU_IOAS_MAP' && result.ok && result.out['iova'] === 0x666000n) v.push({ invariant: 'pin-accounting', message: 'planted: iova 0x666000' });
      return v;
    },
    profiles: ['fake-a', 'fake-b'],
    defaultProfile: 'fake-a',
  };
}

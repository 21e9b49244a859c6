/**
 * The system-call boundary: `bootKernel()` builds the world a trace's config declares, `syscall()` runs one call.
 *
 * Dispatch follows the file an fd refers to, as the VFS does: an ioctl goes to the fops of its file (iommufd,
 * VFIO cdev, or a memfd that has none), FTRUNCATE/F_ADD_SEALS/CLOSE are the plain file syscalls. A handler returns
 * an Outcome (outcome.ts), turned here into the contract's SyscallResult: on failure the input kernel is kept,
 * except for IOMMU_IOAS_UNMAP's partial unmap, which the kernel defines.
 */
import { type IoctlArg, type IoctlName, type Syscall, type SyscallResult, type U64, U64_MAX } from './uapi.ts';
import type { Boot, BootFds, WorldConfig } from './index.ts';
import type { DeviceInfo, Kernel } from './types.ts';
import { DEFAULT_PROFILE, parseKernelName, profileOf } from './profiles.ts';
import { errnoOf, fail, isFail, notModelled, type Outcome } from './outcome.ts';
import { IOCTL_OPS, isIoctlName } from './ioctls.ts';
import { addFile, closeFd, fdFile, fdInstall } from './files.ts';
import { memfdAddSeals, shmemSetattrSize } from './memfd.ts';
import { MOCK_APERTURE_LAST, MOCK_APERTURE_START } from './selftest.ts';
import { done, NotModelledError } from './outcome.ts';
import { luoOpen } from './luo.ts';
import { vfioDeviceOpen } from './device.ts';
import { kexec } from './kexec.ts';

/** The PCI IOMMU of a config device that declares no aperture or pgsize: 4 KiB | 2 MiB | 1 GiB, 48-bit aperture. */
export const PCI_DEFAULT_PGSIZE: U64 = (1n << 12n) | (1n << 21n) | (1n << 30n);
/** The 48-bit aperture [0, 2^48 - 1] of such a device. */
export const PCI_DEFAULT_APERTURE: [U64, U64] = [0n, (1n << 48n) - 1n];

/** A WorldConfig the model cannot boot: says which field and why. */
export class WorldConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'WorldConfigError';
  }
}

function isPow2(v: U64): boolean {
  return v > 0n && (v & (v - 1n)) === 0n;
}

function deviceInfoFor(config: WorldConfig, d: WorldConfig['devices'][number], i: number): DeviceInfo {
  const aperture = d.aperture ?? PCI_DEFAULT_APERTURE;
  const pgsize = d.pgsize ?? PCI_DEFAULT_PGSIZE;
  if (aperture[0] > aperture[1] || aperture[1] > U64_MAX) throw new WorldConfigError(`devices[${i}].aperture`, 'start must not exceed last (u64)');
  if (pgsize <= 0n || pgsize > U64_MAX) throw new WorldConfigError(`devices[${i}].pgsize`, 'must be a non-zero pgsize_bitmap');
  const mock = aperture[0] === MOCK_APERTURE_START && aperture[1] === MOCK_APERTURE_LAST && pgsize === config.pageSize / 2n;
  return {
    name: d.name,
    iommu: mock ? 'mock' : `pci:${aperture[0]}-${aperture[1]}:${pgsize}`,
    driver: mock ? 'mock' : 'pci',
    pgsizeBitmap: pgsize,
    aperture: { start: aperture[0], last: aperture[1] },
    dirtyTracking: d.dirtyTracking ?? true,
    breakBeforeMake: d.breakBeforeMake ?? false,
  };
}

/**
 * Builds the world of a trace's config on kernel `profile` (default DEFAULT_PROFILE): one process with /dev/iommu
 * open (fd 3), one memfd per config memfd (memfd_create(MFD_ALLOW_SEALING) + ftruncate), one VFIO cdev fd per
 * device, the config buffers mapped. No memory is touched yet: a page gets its frame when first pinned.
 * Throws WorldConfigError for a config it cannot boot.
 */
export function bootKernel(config: WorldConfig, profile: string = DEFAULT_PROFILE): Boot {
  const spec = parseKernelName(profile);
  if (typeof spec === 'string') throw new WorldConfigError('kernel', spec);
  const page = config.pageSize;
  if (!isPow2(page) || page < 2048n || page > 1n << 30n) throw new WorldConfigError('pageSize', 'must be a power of two from 2048 to 1 GiB');
  const names = new Set<string>();
  const unique = (field: string, name: string): void => {
    if (names.has(name)) throw new WorldConfigError(field, `name ${name} is used twice`);
    names.add(name);
  };
  const devices = config.devices.map((d, i) => {
    unique(`devices[${i}].name`, d.name);
    return deviceInfoFor(config, d, i);
  });
  const buffers = config.buffers.map((b, i) => {
    unique(`buffers[${i}].name`, b.name);
    if (b.va % page !== 0n) throw new WorldConfigError(`buffers[${i}].va`, 'must be page aligned');
    if (!Number.isSafeInteger(b.pages) || b.pages < 0 || b.va + BigInt(b.pages) * page - 1n > U64_MAX) {
      throw new WorldConfigError(`buffers[${i}].pages`, 'must be a page count that fits in the address space');
    }
    for (const h of b.holes) if (!Number.isInteger(h) || h < 0 || h >= b.pages) throw new WorldConfigError(`buffers[${i}].holes`, `hole ${h} is not a page of the buffer`);
    return { name: b.name, va: b.va, pages: b.pages, holes: [...new Set(b.holes)].sort((x, y) => x - y), frames: [] };
  });
  const sortedBuffers = [...buffers].sort((a, b) => (a.va < b.va ? -1 : 1));
  for (let i = 1; i < sortedBuffers.length; i++) {
    const prev = sortedBuffers[i - 1];
    const cur = sortedBuffers[i];
    if (prev && cur && prev.va + BigInt(prev.pages) * page > cur.va) throw new WorldConfigError('buffers', `${prev.name} and ${cur.name} overlap`);
  }
  if (config.rlimitMemlock !== undefined && (!Number.isSafeInteger(config.rlimitMemlock) || config.rlimitMemlock < 0)) {
    throw new WorldConfigError('rlimit_memlock', 'must be a page count');
  }
  const privileged = config.rlimitMemlock === undefined;
  let k: Kernel = {
    profile,
    pageSize: page,
    devices,
    frames: [],
    domains: [],
    hw: devices.map((d) => ({ device: d.name, domain: 'default' as const, pt: null, dmaOwner: null, luClaimed: false }))
      .sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0)),
    process: {
      capIpcLock: config.capabilities?.ipcLock ?? privileged, capSysResource: config.capabilities?.sysResource ?? privileged, rlimitMemlock: privileged ? null : (config.rlimitMemlock ?? null),
      userLockedVm: 0, mmLockedVm: 0, mmPinnedVm: 0, fds: [], buffers,
    },
    files: [],
    kho: { preserved: [], incoming: [], boot: 'cold' },
    lu: { device: null, broken: false, number: 0, outgoing: [], incoming: [] },
    history: { domains: [], devices: [] },
  };
  const fds: BootFds = { iommufd: 0, memfds: {}, devices: {} };
  let id: number;
  [k, id] = addFile(k, { kind: 'iommufd', id: 0, refs: 0, ctx: { accountMode: 'user', objects: [], pages: [], lu: null } });
  [k, fds.iommufd] = fdInstall(k, id);
  config.memfds.forEach((m, i) => {
    unique(`memfds[${i}].name`, m.name);
    if (!Number.isSafeInteger(m.pages) || m.pages < 0) throw new WorldConfigError(`memfds[${i}].pages`, 'must be a page count');
    [k, id] = addFile(k, { kind: 'memfd', id: 0, refs: 0, name: m.name, size: BigInt(m.pages) * page, seals: 0, frozen: false, pages: [] });
    [k, fds.memfds[m.name]] = fdInstall(k, id);
  });
  for (const d of devices) {
    [k, id] = addFile(k, { kind: 'vfio', id: 0, refs: 0, device: d.name, bound: null, lu: null });
    [k, fds.devices[d.name]] = fdInstall(k, id);
  }
  return { kernel: k, fds };
}

function toResult(k: Kernel, o: Outcome): SyscallResult<Kernel> {
  if (o.kind === 'done') return { ok: true, kernel: o.k, out: o.out, rule: o.rule };
  if (o.kind === 'not-modelled') return { ok: false, notModelled: true, reason: o.reason, rule: 'not-modelled' };
  if (o.kind === 'panic') return { ok: false, panic: true, reason: o.reason, rule: o.rule };
  const r: SyscallResult<Kernel> = { ok: false, errno: errnoOf(o), rule: o.rule };
  if (o.out) r.out = o.out;
  if (o.partial) {
    r.kernel = o.partial;
    r.partial = true;
  }
  void k;
  return r;
}

function ioctl(k: Kernel, op: IoctlName, fd: number, arg: unknown): Outcome {
  const file = fdFile(k, fd);
  if (!file) return fail('fdget:bad-fd');
  const entry = IOCTL_OPS[op];
  const run = entry.run as (k: Kernel, file: number, arg: IoctlArg[IoctlName]) => Outcome;
  switch (file.kind) {
    case 'memfd':
      return fail('vfs_ioctl:no-ioctl');
    case 'iommufd':
      if (entry.on !== 'iommufd' || !profileOf(k.profile).ioctls.includes(op)) return fail('iommufd_fops_ioctl:unknown');
      return run(k, file.id, arg as IoctlArg[IoctlName]);
    case 'vfio':
      if (op === 'VFIO_DEVICE_BIND_IOMMUFD') return run(k, file.id, arg as IoctlArg[IoctlName]);
      if (!file.bound) return fail('vfio_device_fops_unl_ioctl:not-bound');
      if (entry.on !== 'vfio') return fail('vfio_device_fops_unl_ioctl:unknown');
      return run(k, file.id, arg as IoctlArg[IoctlName]);
    case 'liveupdate':
      // luo_ioctl(): an nr outside luo_ioctl_ops[] is EINVAL.
      if (entry.on !== 'liveupdate') return fail('luo_ioctl:unknown');
      return run(k, file.id, arg as IoctlArg[IoctlName]);
    case 'session':
      // luo_session_ioctl(): an nr outside luo_session_ioctl_ops[] is EINVAL.
      if (entry.on !== 'session') return fail('luo_session_ioctl:unknown');
      return run(k, file.id, arg as IoctlArg[IoctlName]);
  }
}

/** The calls that are not an ioctl on an fd. */
function fileSyscall(k: Kernel, call: Exclude<Syscall, { op: IoctlName }>): Outcome {
  switch (call.op) {
    case 'FTRUNCATE': {
      // do_sys_ftruncate(): the sign check comes before the fd lookup.
      if (call.length > LOFF_MAX) return fail('do_sys_ftruncate:negative');
      const f = fdFile(k, call.fd);
      if (!f) return fail('fdget:bad-fd');
      if (f.kind !== 'memfd') return fail('do_sys_ftruncate:not-regular');
      const r = shmemSetattrSize(k, f.id, call.length);
      return isFail(r) ? r : done(r, 'shmem_setattr:ok');
    }
    case 'F_ADD_SEALS': {
      const f = fdFile(k, call.fd);
      if (!f) return fail('fdget:bad-fd');
      const r = memfdAddSeals(k, f.id, call.seals);
      return isFail(r) ? r : done(r, 'memfd_add_seals:ok');
    }
    case 'CLOSE':
      return fdFile(k, call.fd) ? done(closeFd(k, call.fd), 'close_fd:ok') : fail('fdget:bad-fd');
    case 'IOMMUFD_OPEN': {
      // iommufd_fops_open(): a new iommufd_ctx.
      const [k1, id] = addFile(k, { kind: 'iommufd', id: 0, refs: 0, ctx: { accountMode: 'user', objects: [], pages: [], lu: null } });
      const [k2, fd] = fdInstall(k1, id);
      return done(k2, 'iommufd_fops_open:ok', { fd });
    }
    case 'LIVEUPDATE_OPEN':
      return luoOpen(k);
    case 'VFIO_DEVICE_OPEN':
      return vfioDeviceOpen(k, call.device);
    case 'KEXEC':
      const spec = parseKernelName(call.kernel);
      if (typeof spec === 'string') return notModelled(`KEXEC into ${spec}`);
      return kexec(k, call.kernel, call.faults);
  }
}

/** LLONG_MAX: the largest length ftruncate() takes (loff_t is signed). */
const LOFF_MAX = (1n << 63n) - 1n;

const FILE_SYSCALLS: ReadonlySet<string> = new Set(['FTRUNCATE', 'F_ADD_SEALS', 'CLOSE', 'IOMMUFD_OPEN', 'LIVEUPDATE_OPEN', 'VFIO_DEVICE_OPEN', 'KEXEC']);

/** One system call on the kernel. Pure: `k` is never mutated; the result carries the new kernel. */
export function syscall(k: Kernel, call: Syscall): SyscallResult<Kernel> {
  const op: string = call.op;
  let o: Outcome;
  try {
    if (isIoctlName(op)) o = ioctl(k, op, (call as { fd: number }).fd, (call as { arg: unknown }).arg);
    else if (FILE_SYSCALLS.has(op)) o = fileSyscall(k, call as Exclude<Syscall, { op: IoctlName }>);
    else return { ok: false, notModelled: true, reason: `syscall ${op} is not modelled`, rule: 'not-modelled' };
  } catch (err) {
    if (err instanceof NotModelledError) return { ok: false, notModelled: true, reason: err.reason, rule: 'not-modelled' };
    throw err;
  }
  return toResult(k, o);
}

/** One DMA by a config device: see dma.ts. Reads only; the kernel does not change. */
export { dma } from './dma.ts';

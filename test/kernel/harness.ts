/**
 * Test harness for the kernel model: boots a world, runs syscalls through the public `syscall()` with the input
 * kernel deep-frozen (so any mutation throws), checks every invariant after every step, and offers one short helper
 * per ioctl with the UAPI's field names. Failing expectations throw with the rule the kernel ended on.
 */
import { expect } from 'vitest';
import {
  bootKernel, dma, syscall, IOAS_MAP_FLAGS, RULES, U64_MAX,
  type BootFds, type DmaResult, type KexecFault, type Kernel, type ProfileName, type Syscall, type SyscallResult, type WorldConfig,
} from '../../src/kernel/index.ts';
import { checkState, checkStep, type Violation } from '../../src/invariants/index.ts';

export const P = 4096n;
export const MOCK_APERTURE: [bigint, bigint] = [1n << 24n, (1n << 31n) - 1n];
export const MOCK_PGSIZE = 2048n;
export const BUF_VA = 0x7f00_0000_0000n;
export const RW = IOAS_MAP_FLAGS.READABLE | IOAS_MAP_FLAGS.WRITEABLE;
export const FIXED = IOAS_MAP_FLAGS.FIXED_IOVA;
export { U64_MAX };

const KNOWN_RULES = new Set(RULES.map((r) => r.id));

/** Freezes a plain value and everything it reaches. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

/** A world with one 64-page buffer and, by default, nothing else. */
export function config(over: Partial<WorldConfig> = {}): WorldConfig {
  return { pageSize: P, memfds: [], buffers: [{ name: 'buf', va: BUF_VA, pages: 64, holes: [] }], devices: [], ...over };
}

export const mockDev = (name: string, extra: Partial<WorldConfig['devices'][number]> = {}): WorldConfig['devices'][number] => ({
  name, aperture: MOCK_APERTURE, pgsize: MOCK_PGSIZE, ...extra,
});

type Out = Record<string, unknown>;

/** A booted world and the calls run on it. */
export class World {
  k: Kernel;
  readonly fds: BootFds;
  readonly rules: string[] = [];
  /** When false, invariant violations are returned by `lastViolations` instead of thrown. */
  strict = true;
  lastViolations: Violation[] = [];

  /** `profile`: a kernel name, a profile with any hardening patches (`linux-7.1-sk-restore+lu-replace-check`). */
  constructor(cfg: WorldConfig = config(), profile?: ProfileName | (string & {})) {
    const b = bootKernel(cfg, profile);
    this.k = b.kernel;
    this.fds = b.fds;
    const v = checkState(this.k);
    if (v.length) throw new Error(`boot violates ${JSON.stringify(v)}`);
  }

  /** Runs one call on a frozen kernel; keeps the new kernel on success or partial failure; checks invariants. */
  run(call: Syscall): SyscallResult<Kernel> {
    const before = deepFreeze(this.k);
    const r = syscall(before, call);
    if (!KNOWN_RULES.has(r.rule)) throw new Error(`${call.op} returned rule ${r.rule}, which is not in RULES`);
    this.rules.push(r.rule);
    const v = checkStep(before, call, r);
    this.lastViolations = v;
    if (v.length && this.strict) throw new Error(`${call.op} (${r.rule}) broke ${v.map((x) => `${x.invariant}: ${x.message}`).join('; ')}`);
    if (r.ok) this.k = r.kernel;
    else if ('kernel' in r && r.kernel) this.k = r.kernel;
    return r;
  }

  /** Runs `call` and expects success; returns the fields written back. */
  ok(call: Syscall, rule?: string): Out {
    const r = this.run(call);
    if (!r.ok) throw new Error(`${call.op} expected ok, got ${'errno' in r ? r.errno : 'panic' in r ? 'PANIC' : 'not modelled'} (${r.rule}${'reason' in r ? `: ${r.reason}` : ''})`);
    if (rule) expect(r.rule).toBe(rule);
    return r.out;
  }

  /** Runs `call` and expects errno `errno` (and rule `rule` when given); returns the result. */
  err(call: Syscall, errno: string, rule?: string): SyscallResult<Kernel> {
    const r = this.run(call);
    if (r.ok) throw new Error(`${call.op} expected ${errno}, got ok (${r.rule})`);
    if (!('errno' in r)) throw new Error(`${call.op} expected ${errno}, got not modelled (${r.reason})`);
    expect(r.errno, `${call.op} (${r.rule})`).toBe(errno);
    if (rule) expect(r.rule).toBe(rule);
    return r;
  }

  /** Runs `call` (a KEXEC) and expects the new kernel to panic; returns the reason. */
  panics(call: Syscall, rule?: string): string {
    const r = this.run(call);
    if (r.ok || !('panic' in r)) throw new Error(`${call.op} expected a panic, got ${r.ok ? 'ok' : 'errno' in r ? r.errno : 'not modelled'}`);
    if (rule) expect(r.rule).toBe(rule);
    return r.reason;
  }

  /** One DMA by config device `device` (the hardware; the kernel does not change). */
  dma(device: string, iova: bigint, access: 'read' | 'write' = 'read'): DmaResult {
    const r = dma(deepFreeze(this.k), { device, iova, access });
    if (!KNOWN_RULES.has(r.rule)) throw new Error(`DMA returned rule ${r.rule}, which is not in RULES`);
    this.rules.push(r.rule);
    return r;
  }

  /** The frame a DMA reaches (its label), or FAULT. */
  reach(device: string, iova: bigint, access: 'read' | 'write' = 'read'): string {
    const r = this.dma(device, iova, access);
    return r.ok ? r.frame : 'FAULT';
  }

  /** Runs `call` and expects a "not modelled" refusal. */
  notModelled(call: Syscall): string {
    const r = this.run(call);
    if (r.ok || !('notModelled' in r)) throw new Error(`${call.op} expected not modelled, got ${r.ok ? 'ok' : 'errno' in r ? r.errno : 'PANIC'}`);
    return r.reason;
  }

  // ---- one helper per syscall, UAPI field names, sensible defaults ----------------------------------------
  get ifd(): number {
    return this.fds.iommufd;
  }
  dev(name: string): number {
    const fd = this.fds.devices[name];
    if (fd === undefined) throw new Error(`no device ${name}`);
    return fd;
  }
  memfd(name: string): number {
    const fd = this.fds.memfds[name];
    if (fd === undefined) throw new Error(`no memfd ${name}`);
    return fd;
  }

  ioasAlloc(flags = 0): Syscall {
    return { op: 'IOMMU_IOAS_ALLOC', fd: this.ifd, arg: { flags } };
  }
  newIoas(): number {
    return this.ok(this.ioasAlloc()).out_ioas_id as number;
  }
  map(a: { ioas_id: number; user_va?: bigint; length: bigint; iova?: bigint; flags?: number; __reserved?: number }): Syscall {
    return { op: 'IOMMU_IOAS_MAP', fd: this.ifd, arg: { flags: a.flags ?? RW, ioas_id: a.ioas_id, __reserved: a.__reserved ?? 0, user_va: a.user_va ?? BUF_VA, length: a.length, iova: a.iova ?? 0n } };
  }
  mapFixed(ioas_id: number, iova: bigint, length: bigint, user_va: bigint = BUF_VA): Syscall {
    return this.map({ ioas_id, iova, length, user_va, flags: RW | FIXED });
  }
  mapFile(a: { ioas_id: number; fd: number; start?: bigint; length: bigint; iova?: bigint; flags?: number }): Syscall {
    return { op: 'IOMMU_IOAS_MAP_FILE', fd: this.ifd, arg: { flags: a.flags ?? RW, ioas_id: a.ioas_id, fd: a.fd, start: a.start ?? 0n, length: a.length, iova: a.iova ?? 0n } };
  }
  copy(a: { src_ioas_id: number; dst_ioas_id: number; src_iova: bigint; dst_iova?: bigint; length: bigint; flags?: number }): Syscall {
    return { op: 'IOMMU_IOAS_COPY', fd: this.ifd, arg: { flags: a.flags ?? RW, dst_ioas_id: a.dst_ioas_id, src_ioas_id: a.src_ioas_id, length: a.length, dst_iova: a.dst_iova ?? 0n, src_iova: a.src_iova } };
  }
  unmap(ioas_id: number, iova: bigint, length: bigint): Syscall {
    return { op: 'IOMMU_IOAS_UNMAP', fd: this.ifd, arg: { ioas_id, iova, length } };
  }
  ranges(ioas_id: number, num_iovas = 16, __reserved = 0): Syscall {
    return { op: 'IOMMU_IOAS_IOVA_RANGES', fd: this.ifd, arg: { ioas_id, num_iovas, __reserved } };
  }
  allow(ioas_id: number, ranges: [bigint, bigint][], num_iovas = ranges.length, __reserved = 0): Syscall {
    return { op: 'IOMMU_IOAS_ALLOW_IOVAS', fd: this.ifd, arg: { ioas_id, num_iovas, __reserved, allowed_iovas: ranges.map(([start, last]) => ({ start, last })) } };
  }
  option(a: { option_id: number; op: number; object_id?: number; val64?: bigint; __reserved?: number }): Syscall {
    return { op: 'IOMMU_OPTION', fd: this.ifd, arg: { option_id: a.option_id, op: a.op, __reserved: a.__reserved ?? 0, object_id: a.object_id ?? 0, val64: a.val64 ?? 0n } };
  }
  destroy(id: number): Syscall {
    return { op: 'IOMMU_DESTROY', fd: this.ifd, arg: { id } };
  }
  hwptAlloc(a: { dev_id: number; pt_id: number; flags?: number; data_type?: number; data_len?: number; fault_id?: number; __reserved?: number }): Syscall {
    return { op: 'IOMMU_HWPT_ALLOC', fd: this.ifd, arg: { flags: a.flags ?? 0, dev_id: a.dev_id, pt_id: a.pt_id, __reserved: a.__reserved ?? 0, data_type: a.data_type ?? 0, data_len: a.data_len ?? 0, fault_id: a.fault_id ?? 0 } };
  }
  addReserved(ioas_id: number, start: bigint, length: bigint): Syscall {
    return { op: 'IOMMU_TEST_OP_ADD_RESERVED', fd: this.ifd, arg: { ioas_id, start, length } };
  }
  bind(device: string, iommufd = this.ifd, flags = 0): Syscall {
    return { op: 'VFIO_DEVICE_BIND_IOMMUFD', fd: this.dev(device), arg: { flags, iommufd } };
  }
  attach(device: string, pt_id: number, flags = 0): Syscall {
    return { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', fd: this.dev(device), arg: { flags, pt_id, pasid: 0 } };
  }
  detach(device: string, flags = 0): Syscall {
    return { op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', fd: this.dev(device), arg: { flags, pasid: 0 } };
  }
  close(fd: number): Syscall {
    return { op: 'CLOSE', fd };
  }
  ftruncate(fd: number, length: bigint): Syscall {
    return { op: 'FTRUNCATE', fd, length };
  }
  seals(fd: number, seals: number): Syscall {
    return { op: 'F_ADD_SEALS', fd, seals };
  }

  // ---- live update ----------------------------------------------------------------------------------------
  luOpen(): Syscall {
    return { op: 'LIVEUPDATE_OPEN' };
  }
  iommufdOpen(): Syscall {
    return { op: 'IOMMUFD_OPEN' };
  }
  vfioOpen(device: string): Syscall {
    return { op: 'VFIO_DEVICE_OPEN', device };
  }
  createSession(lu: number, name: string): Syscall {
    return { op: 'LIVEUPDATE_IOCTL_CREATE_SESSION', fd: lu, arg: { name } };
  }
  retrieveSession(lu: number, name: string): Syscall {
    return { op: 'LIVEUPDATE_IOCTL_RETRIEVE_SESSION', fd: lu, arg: { name } };
  }
  preserve(session: number, fd: number, token: bigint): Syscall {
    return { op: 'LIVEUPDATE_SESSION_PRESERVE_FD', fd: session, arg: { fd, token } };
  }
  retrieveFd(session: number, token: bigint): Syscall {
    return { op: 'LIVEUPDATE_SESSION_RETRIEVE_FD', fd: session, arg: { token } };
  }
  finish(session: number): Syscall {
    return { op: 'LIVEUPDATE_SESSION_FINISH', fd: session, arg: {} };
  }
  setPreserve(hwpt_id: number, hwpt_token: bigint, ifd = this.ifd): Syscall {
    return { op: 'IOMMU_HWPT_LU_SET_PRESERVE', fd: ifd, arg: { hwpt_id, hwpt_token } };
  }
  luRestore(hwpt_token: bigint, ifd: number): Syscall {
    return { op: 'IOMMU_HWPT_LU_RESTORE', fd: ifd, arg: { hwpt_token } };
  }
  kexec(kernel: ProfileName | (string & {}), faults: KexecFault[] = []): Syscall {
    return { op: 'KEXEC', kernel, faults };
  }
  /** An fd a call returned. */
  fd(call: Syscall): number {
    return this.ok(call).fd as number;
  }

  /** Binds `device` and attaches it to `pt`; returns [devid, attached pt_id]. */
  bindAttach(device: string, pt: number): [number, number] {
    const devid = this.ok(this.bind(device)).out_devid as number;
    const ptId = this.ok(this.attach(device, pt)).pt_id as number;
    return [devid, ptId];
  }
}

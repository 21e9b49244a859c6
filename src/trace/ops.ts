/**
 * The one table from trace steps to the kernel model's calls, keyed by `op` (as drivers/iommu/iommufd/main.c
 * keys its ioctls). For each op it says which output field `as` binds, which output fields `expect_out` may
 * check and how to compare them, and how the step's fields become the UAPI struct.
 *
 * `toSyscall` reads every field through a FieldReader, so the same function serves twice: at load time a
 * checking reader finds out-of-range numbers, unknown labels and unknown files without running anything
 * (load.ts); at replay time a resolving reader turns labels and names into the ids and fds of the running world
 * (runner.ts). Absent fields read as 0, as in the zeroed struct the selftest helpers pass
 * (tools/testing/selftests/iommu/iommufd_utils.h), unless the comment on the field in types.ts says otherwise.
 *
 * Three kinds of op: `syscall` (one call of the kernel model's syscall()), `kexec` (the reboot() syscall too, but one
 * that ends the process and may panic: runner.ts clears the names and labels of the old kernel after it) and `dma`
 * (the hardware, not a syscall: the kernel model's dma()).
 */
import {
  F_SEALS, HWPT_ALLOC_FLAGS, IOAS_MAP_FLAGS, IOMMU_HWPT_DATA_TYPES, IOMMU_OPTION_IDS, IOMMU_OPTION_OPS, VFIO_DEVICE_PT_FLAGS,
} from '../kernel/index.ts';
import type { DmaRequest, IommuIovaRange, KexecFault, Syscall } from '../kernel/index.ts';
import type { DmaStep, FdRef, IdRef, IovaRange, KexecStep, Step, StepOp, U32Value, U64Value } from './types.ts';

/** What a label names: an iommufd object id, or a file descriptor. */
export type LabelKind = 'object' | 'fd';

/** How an output field is read from `expect_out` and compared: as a u64, a u32, an object id, IOVA ranges, or a string. */
export type OutKind = 'u64' | 'u32' | 'id' | 'ranges' | 'string';

/**
 * Reads a step's fields. Each method gets the field's name (for messages) and its value as the trace wrote it
 * (undefined when absent, which reads as 0 unless a default is given).
 */
export interface FieldReader {
  u64(field: string, v: U64Value | undefined): bigint;
  u32(field: string, v: U32Value | undefined): number;
  /** An object id: a number, or a label bound to an object id. */
  id(field: string, v: IdRef | undefined): number;
  /** A file: a config memfd or device, `iommufd`, or a label bound to an fd. */
  fd(field: string, v: FdRef): number;
  /** The /dev/liveupdate fd: the label given, or (absent) the one the last LIVEUPDATE_OPEN opened. */
  liveupdateFd(field: string, v: FdRef | undefined): number;
  /** A device of the config: the hardware, before and after a kexec alike. */
  device(field: string, v: string): string;
  /** Flag names ORed together through `table`, or the number as written. */
  flags(field: string, v: readonly string[] | number | undefined, table: Readonly<Record<string, number>>): number;
  /** An enum name through `table`, or the number as written. */
  enumValue(field: string, v: string | number | undefined, table: Readonly<Record<string, number>>): number;
  ranges(field: string, v: readonly IovaRange[]): IommuIovaRange[];
}

/** An op that is one system call of the kernel model. */
export interface SyscallOpSpec<S extends Step> {
  kind: 'syscall';
  /** The output field `as` binds to a label, and what it names. Absent: the step has no `as`. */
  binds?: { out: string; kind: LabelKind };
  /** The output fields `expect_out` may name, and how each is compared. */
  out: Readonly<Record<string, OutKind>>;
  /** The call the step makes. */
  toSyscall(step: S, r: FieldReader): Syscall;
}

/** KEXEC: reboot() into a kernel profile, with the faults to inject. */
export interface KexecOpSpec {
  kind: 'kexec';
  binds?: undefined;
  out: Readonly<Record<string, OutKind>>;
  /** The kernel asked for (undefined: the running one) and the faults. */
  toKexec(step: KexecStep, r: FieldReader): { kernel: string | undefined; faults: KexecFault[] };
}

/** DMA: one access by the hardware. */
export interface DmaOpSpec {
  kind: 'dma';
  binds?: undefined;
  out: Readonly<Record<string, OutKind>>;
  toDma(step: DmaStep, r: FieldReader): DmaRequest;
}

/** The spec of one op. */
export type OpSpec<S extends Step = Step> = SyscallOpSpec<S> | KexecOpSpec | DmaOpSpec;

type OpTable = {
  readonly [K in StepOp]: K extends 'KEXEC' ? KexecOpSpec : K extends 'DMA' ? DmaOpSpec : SyscallOpSpec<Extract<Step, { op: K }>>;
};

/** The iommufd an iommufd ioctl goes to: the step's `iommufd` field, or the one opened at the start. */
const iommufdOf = (s: { iommufd?: FdRef }, r: FieldReader): number => r.fd('iommufd', s.iommufd ?? 'iommufd');

/** Every op of the trace format, by name. */
export const OPS: OpTable = {
  IOMMU_DESTROY: {
    kind: 'syscall',
    out: {},
    toSyscall: (s, r) => ({ op: 'IOMMU_DESTROY', fd: iommufdOf(s, r), arg: { id: r.id('id', s.id) } }),
  },
  IOMMU_IOAS_ALLOC: {
    kind: 'syscall',
    binds: { out: 'out_ioas_id', kind: 'object' },
    out: { out_ioas_id: 'id' },
    toSyscall: (s, r) => ({ op: 'IOMMU_IOAS_ALLOC', fd: iommufdOf(s, r), arg: { flags: r.u32('flags', s.flags) } }),
  },
  IOMMU_IOAS_ALLOW_IOVAS: {
    kind: 'syscall',
    out: {},
    toSyscall: (s, r) => ({
      op: 'IOMMU_IOAS_ALLOW_IOVAS',
      fd: iommufdOf(s, r),
      arg: {
        ioas_id: r.id('ioas_id', s.ioas_id),
        num_iovas: s.num_iovas === undefined ? s.allowed_iovas.length : r.u32('num_iovas', s.num_iovas),
        __reserved: r.u32('__reserved', s.__reserved),
        allowed_iovas: r.ranges('allowed_iovas', s.allowed_iovas),
      },
    }),
  },
  IOMMU_IOAS_COPY: {
    kind: 'syscall',
    out: { dst_iova: 'u64' },
    toSyscall: (s, r) => ({
      op: 'IOMMU_IOAS_COPY',
      fd: iommufdOf(s, r),
      arg: {
        flags: r.flags('flags', s.flags, IOAS_MAP_FLAGS),
        dst_ioas_id: r.id('dst_ioas_id', s.dst_ioas_id),
        src_ioas_id: r.id('src_ioas_id', s.src_ioas_id),
        length: r.u64('length', s.length),
        dst_iova: r.u64('dst_iova', s.dst_iova),
        src_iova: r.u64('src_iova', s.src_iova),
      },
    }),
  },
  IOMMU_IOAS_IOVA_RANGES: {
    kind: 'syscall',
    out: { num_iovas: 'u32', out_iova_alignment: 'u64', allowed_iovas: 'ranges' },
    toSyscall: (s, r) => ({
      op: 'IOMMU_IOAS_IOVA_RANGES',
      fd: iommufdOf(s, r),
      arg: { ioas_id: r.id('ioas_id', s.ioas_id), num_iovas: r.u32('num_iovas', s.num_iovas), __reserved: r.u32('__reserved', s.__reserved) },
    }),
  },
  IOMMU_IOAS_MAP: {
    kind: 'syscall',
    out: { iova: 'u64' },
    toSyscall: (s, r) => ({
      op: 'IOMMU_IOAS_MAP',
      fd: iommufdOf(s, r),
      arg: {
        flags: r.flags('flags', s.flags, IOAS_MAP_FLAGS),
        ioas_id: r.id('ioas_id', s.ioas_id),
        __reserved: r.u32('__reserved', s.__reserved),
        user_va: r.u64('user_va', s.user_va),
        length: r.u64('length', s.length),
        iova: r.u64('iova', s.iova),
      },
    }),
  },
  IOMMU_IOAS_MAP_FILE: {
    kind: 'syscall',
    out: { iova: 'u64' },
    toSyscall: (s, r) => ({
      op: 'IOMMU_IOAS_MAP_FILE',
      fd: iommufdOf(s, r),
      arg: {
        flags: r.flags('flags', s.flags, IOAS_MAP_FLAGS),
        ioas_id: r.id('ioas_id', s.ioas_id),
        fd: r.fd('fd', s.fd),
        start: r.u64('start', s.start),
        length: r.u64('length', s.length),
        iova: r.u64('iova', s.iova),
      },
    }),
  },
  IOMMU_IOAS_UNMAP: {
    kind: 'syscall',
    out: { length: 'u64' },
    toSyscall: (s, r) => ({
      op: 'IOMMU_IOAS_UNMAP',
      fd: iommufdOf(s, r),
      arg: { ioas_id: r.id('ioas_id', s.ioas_id), iova: r.u64('iova', s.iova), length: r.u64('length', s.length) },
    }),
  },
  IOMMU_OPTION: {
    kind: 'syscall',
    out: { val64: 'u64' },
    toSyscall: (s, r) => ({
      op: 'IOMMU_OPTION',
      fd: iommufdOf(s, r),
      arg: {
        option_id: r.enumValue('option_id', s.option_id, IOMMU_OPTION_IDS),
        op: r.enumValue('option_op', s.option_op, IOMMU_OPTION_OPS),
        __reserved: r.u32('__reserved', s.__reserved),
        object_id: r.id('object_id', s.object_id),
        val64: r.u64('val64', s.val64),
      },
    }),
  },
  IOMMU_HWPT_ALLOC: {
    kind: 'syscall',
    binds: { out: 'out_hwpt_id', kind: 'object' },
    out: { out_hwpt_id: 'id' },
    toSyscall: (s, r) => ({
      op: 'IOMMU_HWPT_ALLOC',
      fd: iommufdOf(s, r),
      arg: {
        flags: r.flags('flags', s.flags, HWPT_ALLOC_FLAGS),
        dev_id: r.id('dev_id', s.dev_id),
        pt_id: r.id('pt_id', s.pt_id),
        __reserved: r.u32('__reserved', s.__reserved),
        data_type: r.enumValue('data_type', s.data_type, IOMMU_HWPT_DATA_TYPES),
        data_len: r.u32('data_len', s.data_len),
        fault_id: r.id('fault_id', s.fault_id),
      },
    }),
  },
  IOMMU_TEST_OP_ADD_RESERVED: {
    kind: 'syscall',
    out: {},
    toSyscall: (s, r) => ({
      op: 'IOMMU_TEST_OP_ADD_RESERVED',
      fd: iommufdOf(s, r),
      arg: { ioas_id: r.id('ioas_id', s.ioas_id), start: r.u64('start', s.start), length: r.u64('length', s.length) },
    }),
  },
  VFIO_DEVICE_BIND_IOMMUFD: {
    kind: 'syscall',
    binds: { out: 'out_devid', kind: 'object' },
    out: { out_devid: 'id' },
    toSyscall: (s, r) => ({
      op: 'VFIO_DEVICE_BIND_IOMMUFD',
      fd: r.fd('device', s.device),
      arg: { flags: r.u32('flags', s.flags), iommufd: r.fd('iommufd', s.iommufd ?? 'iommufd') },
    }),
  },
  VFIO_DEVICE_ATTACH_IOMMUFD_PT: {
    kind: 'syscall',
    binds: { out: 'pt_id', kind: 'object' },
    out: { pt_id: 'id' },
    toSyscall: (s, r) => ({
      op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT',
      fd: r.fd('device', s.device),
      arg: { flags: r.flags('flags', s.flags, VFIO_DEVICE_PT_FLAGS), pt_id: r.id('pt_id', s.pt_id), pasid: r.u32('pasid', s.pasid) },
    }),
  },
  VFIO_DEVICE_DETACH_IOMMUFD_PT: {
    kind: 'syscall',
    out: {},
    toSyscall: (s, r) => ({
      op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT',
      fd: r.fd('device', s.device),
      arg: { flags: r.flags('flags', s.flags, VFIO_DEVICE_PT_FLAGS), pasid: r.u32('pasid', s.pasid) },
    }),
  },
  FTRUNCATE: {
    kind: 'syscall',
    out: {},
    toSyscall: (s, r) => ({ op: 'FTRUNCATE', fd: r.fd('fd', s.fd), length: r.u64('length', s.length) }),
  },
  F_ADD_SEALS: {
    kind: 'syscall',
    out: {},
    toSyscall: (s, r) => ({ op: 'F_ADD_SEALS', fd: r.fd('fd', s.fd), seals: r.flags('seals', s.seals, F_SEALS) }),
  },
  CLOSE: {
    kind: 'syscall',
    out: {},
    toSyscall: (s, r) => ({ op: 'CLOSE', fd: r.fd('fd', s.fd) }),
  },
  IOMMUFD_OPEN: {
    kind: 'syscall',
    binds: { out: 'fd', kind: 'fd' },
    out: { fd: 'u32' },
    toSyscall: () => ({ op: 'IOMMUFD_OPEN' }),
  },
  LIVEUPDATE_OPEN: {
    kind: 'syscall',
    binds: { out: 'fd', kind: 'fd' },
    out: { fd: 'u32' },
    toSyscall: () => ({ op: 'LIVEUPDATE_OPEN' }),
  },
  VFIO_DEVICE_OPEN: {
    kind: 'syscall',
    binds: { out: 'fd', kind: 'fd' },
    out: { fd: 'u32' },
    toSyscall: (s, r) => ({ op: 'VFIO_DEVICE_OPEN', device: r.device('device', s.device) }),
  },
  LIVEUPDATE_IOCTL_CREATE_SESSION: {
    kind: 'syscall',
    binds: { out: 'fd', kind: 'fd' },
    out: { fd: 'u32' },
    toSyscall: (s, r) => ({ op: 'LIVEUPDATE_IOCTL_CREATE_SESSION', fd: r.liveupdateFd('fd', s.fd), arg: { name: s.name } }),
  },
  LIVEUPDATE_IOCTL_RETRIEVE_SESSION: {
    kind: 'syscall',
    binds: { out: 'fd', kind: 'fd' },
    out: { fd: 'u32' },
    toSyscall: (s, r) => ({ op: 'LIVEUPDATE_IOCTL_RETRIEVE_SESSION', fd: r.liveupdateFd('fd', s.fd), arg: { name: s.name } }),
  },
  LIVEUPDATE_SESSION_PRESERVE_FD: {
    kind: 'syscall',
    out: {},
    toSyscall: (s, r) => ({
      op: 'LIVEUPDATE_SESSION_PRESERVE_FD', fd: r.fd('session', s.session), arg: { fd: r.fd('fd', s.fd), token: r.u64('token', s.token) },
    }),
  },
  LIVEUPDATE_SESSION_RETRIEVE_FD: {
    kind: 'syscall',
    binds: { out: 'fd', kind: 'fd' },
    out: { fd: 'u32' },
    toSyscall: (s, r) => ({ op: 'LIVEUPDATE_SESSION_RETRIEVE_FD', fd: r.fd('session', s.session), arg: { token: r.u64('token', s.token) } }),
  },
  LIVEUPDATE_SESSION_FINISH: {
    kind: 'syscall',
    out: {},
    toSyscall: (s, r) => ({ op: 'LIVEUPDATE_SESSION_FINISH', fd: r.fd('session', s.session), arg: {} }),
  },
  IOMMU_HWPT_LU_SET_PRESERVE: {
    kind: 'syscall',
    out: {},
    toSyscall: (s, r) => ({
      op: 'IOMMU_HWPT_LU_SET_PRESERVE', fd: iommufdOf(s, r), arg: { hwpt_id: r.id('hwpt_id', s.hwpt_id), hwpt_token: r.u64('hwpt_token', s.hwpt_token) },
    }),
  },
  IOMMU_HWPT_LU_RESTORE: {
    kind: 'syscall',
    binds: { out: 'pt_id', kind: 'object' },
    out: { pt_id: 'id' },
    toSyscall: (s, r) => ({ op: 'IOMMU_HWPT_LU_RESTORE', fd: iommufdOf(s, r), arg: { hwpt_token: r.u64('hwpt_token', s.hwpt_token) } }),
  },
  KEXEC: {
    kind: 'kexec',
    out: {},
    toKexec: (s, r) => ({
      kernel: s.kernel,
      faults: (s.faults ?? []).map((f, i): KexecFault => (f.name === 'freeze-fails' ? { name: f.name, token: r.u64(`faults[${i}].token`, f.token) } : { name: f.name })),
    }),
  },
  DMA: {
    kind: 'dma',
    out: { frame: 'string' },
    toDma: (s, r) => ({ device: r.device('device', s.device), iova: r.u64('iova', s.iova), access: s.access }),
  },
};

/** The spec of a step's op (the schema guarantees the op is one of OPS). */
export function opSpec<S extends Step>(step: S): OpSpec<S> {
  return OPS[step.op] as unknown as OpSpec<S>;
}

/** Reads a step's fields as the replay will (the call, the kexec or the DMA it makes), for the load-time check. */
export function readStep(step: Step, r: FieldReader): void {
  const spec = opSpec(step);
  if (spec.kind === 'syscall') spec.toSyscall(step, r);
  else if (spec.kind === 'kexec') spec.toKexec(step as KexecStep, r);
  else spec.toDma(step as DmaStep, r);
}

/** Every op name, in table order. */
export const OP_NAMES: readonly StepOp[] = Object.keys(OPS) as StepOp[];

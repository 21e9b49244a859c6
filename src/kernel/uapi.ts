/**
 * The kernel model's system-call surface: what userspace can ask of the modelled kernel, and what it gets back.
 *
 * Every call mirrors a real syscall on a real fd: `ioctl(fd, REQ, &arg)`, `ftruncate(fd, len)`,
 * `fcntl(fd, F_ADD_SEALS, seals)`, `close(fd)`. Argument structs keep the UAPI field names of
 * include/uapi/linux/iommufd.h and include/uapi/linux/vfio.h; u64 fields are `bigint` (exact over the whole
 * range), u32/s32/u16 fields are `number`. Flags are the UAPI bit values, so unknown bits reach the
 * handler and get the kernel's EOPNOTSUPP, as they would on a real kernel.
 *
 * Labels, names and JSON encodings are the trace layer's business (src/trace): nothing here knows them.
 */

/** A u64 as the kernel sees it. */
export type U64 = bigint;

export const U64_MAX: U64 = (1n << 64n) - 1n;
/** ULONG_MAX and SIZE_MAX on a 64-bit kernel. */
export const ULONG_MAX: U64 = U64_MAX;
export const SIZE_MAX: U64 = U64_MAX;

/** Errno names the model can return. `PANIC` is not an errno: it is the outcome of a kexec into a kernel that stops. */
export type Errno =
  | 'EPERM'
  | 'ENOENT'
  | 'EIO'
  | 'EBADF'
  | 'EAGAIN'
  | 'ENOMEM'
  | 'EFAULT'
  | 'EBUSY'
  | 'EEXIST'
  | 'ENODEV'
  | 'EINVAL'
  | 'ENOSPC'
  | 'ENOTTY'
  | 'E2BIG'
  | 'EMSGSIZE'
  | 'EOPNOTSUPP'
  | 'EADDRINUSE'
  | 'EOVERFLOW'
  | 'EDEADLOCK'
  | 'ENODATA'
  | 'EBADFD';

export const ERRNOS: readonly Errno[] = [
  'EPERM', 'ENOENT', 'EIO', 'EBADF', 'EAGAIN', 'ENOMEM', 'EFAULT', 'EBUSY', 'EEXIST', 'ENODEV', 'EINVAL',
  'ENOSPC', 'ENOTTY', 'E2BIG', 'EMSGSIZE', 'EOPNOTSUPP', 'EADDRINUSE', 'EOVERFLOW', 'EDEADLOCK', 'ENODATA',
  'EBADFD',
];

// ---------------------------------------------------------------------------------------------------------------
// Flag and enum values (include/uapi/linux/iommufd.h, include/uapi/linux/fcntl.h)

/** enum iommufd_ioas_map_flags */
export const IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0;
export const IOMMU_IOAS_MAP_WRITEABLE = 1 << 1;
export const IOMMU_IOAS_MAP_READABLE = 1 << 2;
export const IOAS_MAP_FLAGS = { FIXED_IOVA: 1 << 0, WRITEABLE: 1 << 1, READABLE: 1 << 2 } as const;

/** enum iommufd_hwpt_alloc_flags */
export const HWPT_ALLOC_FLAGS = { NEST_PARENT: 1 << 0, DIRTY_TRACKING: 1 << 1, FAULT_ID_VALID: 1 << 2, PASID: 1 << 3 } as const;

/** enum iommufd_option */
export const IOMMU_OPTION_IDS = { RLIMIT_MODE: 0, HUGE_PAGES: 1 } as const;
/** enum iommufd_option_ops */
export const IOMMU_OPTION_OPS = { SET: 0, GET: 1 } as const;

/** enum iommu_hwpt_data_type */
export const IOMMU_HWPT_DATA_TYPES = { NONE: 0, VTD_S1: 1, ARM_SMMUV3: 2, SELFTEST: 0xdead } as const;

/** VFIO_DEVICE_ATTACH_PASID / VFIO_DEVICE_DETACH_PASID (include/uapi/linux/vfio.h): the only defined attach/detach flag. */
export const VFIO_DEVICE_PT_FLAGS = { PASID: 1 << 0 } as const;

/** IOMMU_HWPT_DATA_SELFTEST's struct iommu_hwpt_selftest is {__u32 iotlb}: its minimum length (iommufd_test.h). */
export const IOMMU_HWPT_SELFTEST_MIN_LEN = 4;

/** F_SEAL_* (include/uapi/linux/fcntl.h) */
export const F_SEALS = { SEAL: 0x1, SHRINK: 0x2, GROW: 0x4, WRITE: 0x8, FUTURE_WRITE: 0x10, EXEC: 0x20 } as const;

// ---------------------------------------------------------------------------------------------------------------
// Argument structs. `size`/`argsz` are not modelled: the trace format has no way to get them wrong.

/** struct iommu_destroy */
export interface IommuDestroy { id: number }
/** struct iommu_ioas_alloc */
export interface IommuIoasAlloc { flags: number }
/** struct iommu_iova_range (last is inclusive) */
export interface IommuIovaRange { start: U64; last: U64 }
/** struct iommu_ioas_allow_iovas: `allowed_iovas` carries the pointee inline; `num_iovas` is the count userspace claims. */
export interface IommuIoasAllowIovas { ioas_id: number; num_iovas: number; __reserved: number; allowed_iovas: IommuIovaRange[] }
/** struct iommu_ioas_copy */
export interface IommuIoasCopy { flags: number; dst_ioas_id: number; src_ioas_id: number; length: U64; dst_iova: U64; src_iova: U64 }
/** struct iommu_ioas_iova_ranges (num_iovas in: the capacity of the user's buffer) */
export interface IommuIoasIovaRanges { ioas_id: number; num_iovas: number; __reserved: number }
/** struct iommu_ioas_map */
export interface IommuIoasMap { flags: number; ioas_id: number; __reserved: number; user_va: U64; length: U64; iova: U64 }
/** struct iommu_ioas_map_file (fd is a memfd's fd in the calling process) */
export interface IommuIoasMapFile { flags: number; ioas_id: number; fd: number; start: U64; length: U64; iova: U64 }
/** struct iommu_ioas_unmap */
export interface IommuIoasUnmap { ioas_id: number; iova: U64; length: U64 }
/** struct iommu_option (`op` is written `option_op` in traces) */
export interface IommuOption { option_id: number; op: number; __reserved: number; object_id: number; val64: U64 }
/** struct iommu_hwpt_alloc (driver data is not modelled beyond its type and length) */
export interface IommuHwptAlloc {
  flags: number;
  dev_id: number;
  pt_id: number;
  __reserved: number;
  data_type: number;
  data_len: number;
  fault_id: number;
}
/** struct iommu_test_cmd, op IOMMU_TEST_OP_ADD_RESERVED (drivers/iommu/iommufd/iommufd_test.h) */
export interface IommuTestAddReserved { ioas_id: number; start: U64; length: U64 }
/** struct vfio_device_bind_iommufd (ioctl on the device's VFIO cdev fd) */
export interface VfioDeviceBindIommufd { flags: number; iommufd: number }
/** struct vfio_device_attach_iommufd_pt */
export interface VfioDeviceAttachIommufdPt { flags: number; pt_id: number; pasid: number }
/** struct vfio_device_detach_iommufd_pt */
export interface VfioDeviceDetachIommufdPt { flags: number; pasid: number }

/**
 * struct liveupdate_ioctl_create_session / _retrieve_session (include/uapi/linux/liveupdate.h): `name` is the
 * char[LIVEUPDATE_SESSION_NAME_LENGTH] buffer's content up to its NUL (a string of 64 or more bytes has none).
 */
export interface LiveupdateIoctlSessionName { name: string }
/** struct liveupdate_session_preserve_fd: `fd` is a descriptor of the calling process. */
export interface LiveupdateSessionPreserveFd { fd: number; token: U64 }
/** struct liveupdate_session_retrieve_fd (fd out). */
export interface LiveupdateSessionRetrieveFd { token: U64 }
/** struct liveupdate_session_finish. */
export type LiveupdateSessionFinish = Record<string, never>;
/** struct iommu_hwpt_lu_set_preserve (SK-v1 10/14, nr 0x95). */
export interface IommuHwptLuSetPreserve { hwpt_id: number; hwpt_token: U64 }
/** struct iommu_hwpt_lu_restore (samikhawaja/linux @039a2632; out pt_id). */
export interface IommuHwptLuRestore { hwpt_token: U64 }

/** LIVEUPDATE_SESSION_NAME_LENGTH: the session name buffer, NUL included. */
export const LIVEUPDATE_SESSION_NAME_LENGTH = 64;

/** Output fields each call writes back to userspace (on success, and where the kernel says so on failure). */
export interface IoctlOut {
  IOMMU_DESTROY: Record<string, never>;
  IOMMU_IOAS_ALLOC: { out_ioas_id: number };
  IOMMU_IOAS_ALLOW_IOVAS: Record<string, never>;
  IOMMU_IOAS_COPY: { dst_iova: U64 };
  IOMMU_IOAS_IOVA_RANGES: { num_iovas: number; out_iova_alignment: U64; allowed_iovas: IommuIovaRange[] };
  IOMMU_IOAS_MAP: { iova: U64 };
  IOMMU_IOAS_MAP_FILE: { iova: U64 };
  IOMMU_IOAS_UNMAP: { length: U64 };
  IOMMU_OPTION: { val64: U64 };
  IOMMU_HWPT_ALLOC: { out_hwpt_id: number };
  IOMMU_TEST_OP_ADD_RESERVED: Record<string, never>;
  VFIO_DEVICE_BIND_IOMMUFD: { out_devid: number };
  VFIO_DEVICE_ATTACH_IOMMUFD_PT: { pt_id: number };
  VFIO_DEVICE_DETACH_IOMMUFD_PT: Record<string, never>;
  LIVEUPDATE_IOCTL_CREATE_SESSION: { fd: number };
  LIVEUPDATE_IOCTL_RETRIEVE_SESSION: { fd: number };
  LIVEUPDATE_SESSION_PRESERVE_FD: Record<string, never>;
  LIVEUPDATE_SESSION_RETRIEVE_FD: { fd: number };
  LIVEUPDATE_SESSION_FINISH: Record<string, never>;
  IOMMU_HWPT_LU_SET_PRESERVE: Record<string, never>;
  IOMMU_HWPT_LU_RESTORE: { pt_id: number };
}

export interface IoctlArg {
  IOMMU_DESTROY: IommuDestroy;
  IOMMU_IOAS_ALLOC: IommuIoasAlloc;
  IOMMU_IOAS_ALLOW_IOVAS: IommuIoasAllowIovas;
  IOMMU_IOAS_COPY: IommuIoasCopy;
  IOMMU_IOAS_IOVA_RANGES: IommuIoasIovaRanges;
  IOMMU_IOAS_MAP: IommuIoasMap;
  IOMMU_IOAS_MAP_FILE: IommuIoasMapFile;
  IOMMU_IOAS_UNMAP: IommuIoasUnmap;
  IOMMU_OPTION: IommuOption;
  IOMMU_HWPT_ALLOC: IommuHwptAlloc;
  IOMMU_TEST_OP_ADD_RESERVED: IommuTestAddReserved;
  VFIO_DEVICE_BIND_IOMMUFD: VfioDeviceBindIommufd;
  VFIO_DEVICE_ATTACH_IOMMUFD_PT: VfioDeviceAttachIommufdPt;
  VFIO_DEVICE_DETACH_IOMMUFD_PT: VfioDeviceDetachIommufdPt;
  LIVEUPDATE_IOCTL_CREATE_SESSION: LiveupdateIoctlSessionName;
  LIVEUPDATE_IOCTL_RETRIEVE_SESSION: LiveupdateIoctlSessionName;
  LIVEUPDATE_SESSION_PRESERVE_FD: LiveupdateSessionPreserveFd;
  LIVEUPDATE_SESSION_RETRIEVE_FD: LiveupdateSessionRetrieveFd;
  LIVEUPDATE_SESSION_FINISH: LiveupdateSessionFinish;
  IOMMU_HWPT_LU_SET_PRESERVE: IommuHwptLuSetPreserve;
  IOMMU_HWPT_LU_RESTORE: IommuHwptLuRestore;
}

/** Every ioctl the model implements, by its UAPI name. */
export type IoctlName = keyof IoctlArg;

/**
 * One system call: `ioctl(fd, op, arg)` or a plain file syscall. `fd` is a descriptor number in the
 * calling process (see `Boot.fds`).
 */
export type Syscall =
  | { [N in IoctlName]: { op: N; fd: number; arg: IoctlArg[N] } }[IoctlName]
  | { op: 'FTRUNCATE'; fd: number; length: U64 }
  | { op: 'F_ADD_SEALS'; fd: number; seals: number }
  | { op: 'CLOSE'; fd: number }
  /** open("/dev/iommu"): a new iommufd; out `fd`. */
  | { op: 'IOMMUFD_OPEN' }
  /** open("/dev/liveupdate"): out `fd`. */
  | { op: 'LIVEUPDATE_OPEN' }
  /** open("/dev/vfio/devices/vfioN") of config device `device`: a new cdev; out `fd`. */
  | { op: 'VFIO_DEVICE_OPEN'; device: string }
  /**
   * reboot(LINUX_REBOOT_CMD_KEXEC) into kernel profile `kernel` (its image loaded with kexec_file_load), with the
   * faults to inject on the way. Success: the new kernel, with a fresh process holding no fd.
   */
  | { op: 'KEXEC'; kernel: string; faults: readonly KexecFault[] };

/**
 * A fault a trace or a proof injects into a KEXEC, by name (the named settings of issue 5):
 * - `freeze-fails`: the handler's .freeze() of the preserved file with LUO token `token` fails (-EINVAL, the one
 *   freeze failure the sources have: vfio_pci_liveupdate_freeze() with interrupts enabled, DM-v3). LUO unfreezes
 *   the files frozen before it and reboot() fails: the old kernel runs on.
 * - `kho-finalize-fails`: kho_finalize() fails in liveupdate_reboot(): reboot() fails EAGAIN.
 * - `restore-table-page-fails`: the new kernel's kho_restore_folio() of a preserved page-table page fails: the IOMMU
 *   restore hits BUG_ON() (SK-TREE: "BUG_ON is the safest option"): a panic.
 */
export type KexecFault =
  | { name: 'freeze-fails'; token: U64 }
  | { name: 'kho-finalize-fails' }
  | { name: 'restore-table-page-fails' };

/** One DMA of a device of the config (the hardware: whatever fd stands for it now). */
export interface DmaRequest {
  device: string;
  iova: U64;
  access: 'read' | 'write';
}

/**
 * What one DMA did: it reached a frame, named by its label (`"<memfd or buffer name>:<page index>"`, `kernel:<n>`,
 * `pt:d<domain>:l<level>`, or `free:<pfn>` for memory no one owns), or it faulted (no translation, a walk through
 * a frame that is no page table any more, or an access the translation does not permit).
 */
export type DmaResult =
  | { ok: true; frame: string; pfn: number; rule: RuleId }
  | { ok: false; fault: true; reason: string; rule: RuleId };

export type SyscallName = Syscall['op'];

/**
 * Identifies one check of the kernel model: which kernel function and which check it mirrors, e.g.
 * `iopt_check_iova:area-overlap`. Every handler outcome (each errno path and each success) carries one, so
 * coverage can enumerate them (see `RULES` in rules.ts).
 */
export type RuleId = string;

/**
 * The result of one call. On failure the kernel is unchanged, with one exception the kernel itself defines:
 * IOMMU_IOAS_UNMAP may remove whole areas before it fails (drivers/iommu/iommufd/io_pagetable.c
 * iopt_unmap_iova_range(): no rollback); such a result carries the changed kernel in `kernel` and says so
 * with `partial: true`.
 */
export type SyscallResult<K> =
  | { ok: true; kernel: K; out: Record<string, unknown>; rule: RuleId }
  | { ok: false; errno: Errno; out?: Record<string, unknown>; rule: RuleId; kernel?: K; partial?: true }
  | Panic
  | NotModelled;

/**
 * A KEXEC whose new kernel panics at boot (an incompatible LUO ABI, a failed IOMMU restore): nothing runs after it.
 * There is no kernel to go on with; `reason` says why, in the kernel's words.
 */
export interface Panic {
  ok: false;
  panic: true;
  reason: string;
  rule: RuleId;
}

/**
 * The model does not implement what this call asks for (an ioctl it has no handler for, or a variant of a
 * handled one, e.g. a PASID attach or a nested domain of a real IOMMU driver). This is not a kernel outcome:
 * the kernel is unchanged, and the trace layer must report it as "not modelled", never as an errno.
 * `rule` is `not-modelled`; `reason` says what was asked.
 */
export interface NotModelled {
  ok: false;
  notModelled: true;
  reason: string;
  rule: RuleId;
}

/**
 * Public surface of the kernel model. Nothing outside src/kernel imports past this file.
 *
 * CONTRACT (for the rest of the engine; the implementation behind it is free to change):
 * - `bootKernel(config, profile?)` builds the world a trace's `config` declares: one process with an open
 *   /dev/iommu (the implicit `iommufd`), one memfd per config memfd (memfd_create(MFD_ALLOW_SEALING) +
 *   ftruncate), one VFIO cdev fd per config device, the config buffers mapped into the process, and returns the
 *   kernel plus the fd numbers userspace holds.
 * - `syscall(kernel, call)` is pure: the input kernel is never mutated; the result carries the new kernel. A call
 *   the model does not implement comes back as `{ ok: false, notModelled: true, reason, rule: 'not-modelled' }`
 *   (uapi.ts NotModelled), never as an invented errno. `KEXEC` is a syscall too (reboot()): its result is the new
 *   kernel, an errno (reboot failed, the old kernel runs on), or `{ ok: false, panic: true, reason }` (the new
 *   kernel stopped at boot: there is no kernel after it).
 * - `dma(kernel, { device, iova, access })` is the hardware, not a syscall: one DMA of a config device through the
 *   page-table frames its IOMMU context points at. It reads only.
 * - `RULES` lists every outcome a handler can return (each errno path and each success), as data; every result
 *   names its rule.
 * - Read-only views (`domainTranslations`, `translate`, `iommufdContexts`, ...) and the state types are exported
 *   for the invariants and the trace layer; they never change state.
 * - `PROFILES` are the kernel versions; `DEFAULT_PROFILE` is used when a trace names none.
 * - Kernel state is plain data (objects, arrays, numbers, strings, booleans, bigint, null): no Map, Set, class
 *   instances or functions, so that explorers can fingerprint it and structuredClone can copy it.
 */
import type { Syscall, SyscallResult, U64 } from './uapi.ts';

export type * from './uapi.ts';
export {
  U64_MAX, ULONG_MAX, SIZE_MAX, ERRNOS, IOAS_MAP_FLAGS, HWPT_ALLOC_FLAGS, IOMMU_OPTION_IDS, IOMMU_OPTION_OPS,
  IOMMU_HWPT_DATA_TYPES, F_SEALS, VFIO_DEVICE_PT_FLAGS, IOMMU_HWPT_SELFTEST_MIN_LEN,
} from './uapi.ts';

/** The world a trace's `config` declares, in kernel units (bytes as bigint, page counts as numbers). */
export interface WorldConfig {
  /** PAGE_SIZE in bytes (default 4096). */
  pageSize: U64;
  memfds: { name: string; pages: number }[];
  /** Process virtual ranges; `holes` are page indexes that are not backed (munmap'ed). */
  buffers: { name: string; va: U64; pages: number; holes: number[] }[];
  /**
   * `pgsize` is the IOMMU's pgsize_bitmap (default: 4 KiB | 2 MiB | 1 GiB); `aperture` [start, last] (default 48-bit).
   * A device with the selftest's mock aperture [1 << 24, (1 << 31) - 1] and pgsize PAGE_SIZE / 2 is a mock device.
   * `dirtyTracking` is IOMMU_CAP_DIRTY_TRACKING (default true; false is the selftest's MOCK_FLAGS_DEVICE_NO_DIRTY).
   */
  devices: { name: string; aperture?: [U64, U64]; pgsize?: U64; dirtyTracking?: boolean; breakBeforeMake?: boolean }[];
  /** When given, the process is unprivileged (no CAP_IPC_LOCK, no CAP_SYS_RESOURCE) with this RLIMIT_MEMLOCK in pages. */
  rlimitMemlock?: number;
  /**
   * Overrides the capabilities that `rlimitMemlock` implies (all without it, none with it). CAP_SYS_RESOURCE without
   * CAP_IPC_LOCK is the one world where IOMMU_OPTION RLIMIT_MODE=1 charges pins to mm->locked_vm.
   */
  capabilities?: { ipcLock: boolean; sysResource: boolean };
}

/** The fds userspace holds after boot, by config name. */
export interface BootFds {
  iommufd: number;
  memfds: Record<string, number>;
  devices: Record<string, number>;
}

/** The modelled kernel's whole state. Opaque outside src/kernel and src/invariants. */
export type Kernel = import('./types.ts').Kernel;

/** What bootKernel() returns: the booted kernel and the fds userspace holds. */
export interface Boot {
  kernel: Kernel;
  fds: BootFds;
}

/** One outcome of one handler: an errno path or the success, named after the kernel function and check it mirrors. */
export interface Rule {
  id: string;
  /** The syscall it belongs to. */
  op: string;
  /** 'ok' for success. */
  result: string;
  /** The kernel function the check lives in, e.g. `iopt_check_iova`. */
  kernelFunction: string;
  description: string;
}

export { bootKernel, syscall, dma, WorldConfigError, PCI_DEFAULT_APERTURE, PCI_DEFAULT_PGSIZE } from './syscall.ts';
export { RULES } from './rules.ts';
export { PROFILES, PATCHES, DEFAULT_PROFILE, isProfileName, isKernelName, parseKernelName, hasPatch } from './profiles.ts';
export type { Profile, ProfileName, PatchName, KernelSpec, PageTableLayout, IovaHoleCheck, LiveUpdateProfile, LuoProfile } from './profiles.ts';
export { BOOT_KERNEL_FRAMES } from './kexec.ts';
export type { SyscallResult, Syscall };
export type { KnownRuleId } from './rules.ts';

// Read-only views of the kernel state, for the invariants, the trace layer and the live-update issue (DMA walks).
export {
  domainTranslations, translate, leafSizes, iommufdContexts, ioasIovaAlignment, areaPageRange, iovaRanges,
  mappedTranslations, mergeTranslations, IOMMU_READ, IOMMU_WRITE, IOMMU_CACHE, MOCK_APERTURE_START, MOCK_APERTURE_LAST,
  hwTranslate, hwLeaves, frameName, mergeRuns, runsEqual, domainTableFrames, preservedDomains,
} from './inspect.ts';
export type { Translation, HwWalk, HwLeaves, PreservedDomain } from './inspect.ts';
export type {
  Area, Buffer, DeviceInfo, DeviceObject, Domain, File, Frame, FrameOwner, HwDevice, HwPageTable, HwptNestedObject,
  HwptPagingObject, IoasObject, IommufdCtx, IommufdFile, IommufdHwptLu, IommufdObject, IoptPages, IovaRange, Kho,
  LiveUpdate, LiveupdateFile, LuHistory, LuoFile, LuoFileData, LuoSession, LuTranslation, MemfdFile, ObjectType, Pfn,
  Process, PtEntry, Reserved, SessionFile, VfioFile,
} from './types.ts';

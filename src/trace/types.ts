/**
 * The trace format (product.md "The trace format"), as TypeScript types. THIS FILE IS THE SOURCE OF TRUTH:
 * `npm run schemas` turns `Trace` into src/trace/schemas/trace.schema.json and `ReplayLine` into
 * src/trace/schemas/replay.schema.json (typescript-json-schema; the doc comments become the schema's
 * descriptions, the `@` tags its validation keywords), and every trace is validated against that schema before
 * anything runs. Change a type here, run `npm run schemas`, commit both: test/trace/schemas.test.ts fails when
 * the committed schema is stale.
 *
 * Kept in one file past 400 lines: typescript-json-schema generates the schema from one root file, and the
 * step types are read as one table of the format (one type per op, in the order of product.md).
 *
 * Conventions of the format, which every step type below follows:
 * - `op` is the kernel's own name of the call (the ioctl, or the file syscall); the other fields are the UAPI
 *   struct's field names (include/uapi/linux/iommufd.h, include/uapi/linux/vfio.h). A field absent from a step
 *   is 0, as in the zero-initialised struct the selftest helpers pass (tools/testing/selftests/iommu/
 *   iommufd_utils.h), except where a field's comment says otherwise. `size`/`argsz` are not written: they are
 *   always right.
 * - u64 values are JSON numbers (exact only up to 2^53-1, so larger numbers are rejected) or strings, decimal or
 *   0x hex, up to 0xffffffffffffffff. u32 values likewise, up to 0xffffffff.
 * - Object ids are numbers or labels: `as` on a step binds the id that step returns to a label, and any later id
 *   field may name the label instead of the number.
 * - `fd` fields name a file: a config memfd, a config device (its VFIO cdev), `iommufd` (the /dev/iommu fd the
 *   process opens at the start), or a label an earlier step bound to an fd. Names and labels share one
 *   namespace, so a label never shadows a config name.
 * - Live update (issue 5): a `KEXEC` that boots the new kernel ends the old kernel's process: every label bound
 *   before it and every config file name (memfds, device cdevs, `iommufd`) stop resolving; the new kernel's files
 *   are what later steps open or retrieve, under new labels. `DMA` and `VFIO_DEVICE_OPEN` name the hardware: a
 *   config device, before and after a kexec alike.
 * - Flags are arrays of the UAPI flag names without their prefix, or a JSON number (for unknown bits); enums
 *   are the UAPI name without prefix, or a JSON number. (Not a string: typescript-json-schema cannot keep the
 *   annotations of a string-or-number alias inside a wider union.)
 *
 * Extending the format (live update, issue 5): add the step type here and to `Step`, add its entry to
 * src/trace/ops.ts, run `npm run schemas`. Old traces stay valid.
 *
 * Over 400 lines, and not split: it is the whole file format and the schema generator's one input, so a reader
 * (and a kernel engineer checking a field name against the UAPI header) finds every step type in one place.
 */
import type {
  Errno, F_SEALS, HWPT_ALLOC_FLAGS, IOAS_MAP_FLAGS, IOMMU_HWPT_DATA_TYPES, IOMMU_OPTION_IDS, IOMMU_OPTION_OPS, VFIO_DEVICE_PT_FLAGS,
} from '../kernel/index.ts';

// ---------------------------------------------------------------------------------------------------------------
// Scalars

/**
 * A u64: a JSON integer (exact up to 2^53-1) or a string, decimal or 0x hex, up to 0xffffffffffffffff.
 * @TJS-type ["integer","string"]
 * @pattern ^(0[xX][0-9a-fA-F]{1,16}|[0-9]{1,20})$
 * @minimum 0
 * @maximum 9007199254740991
 */
export type U64Value = number | string;

/**
 * A u32: a JSON integer or a string, decimal or 0x hex, up to 0xffffffff.
 * @TJS-type ["integer","string"]
 * @pattern ^(0[xX][0-9a-fA-F]{1,8}|[0-9]{1,10})$
 * @minimum 0
 * @maximum 4294967295
 */
export type U32Value = number | string;

/**
 * An iommufd object id (u32): a number, a decimal or 0x hex string, or a label bound by an earlier step's `as`.
 * @TJS-type ["integer","string"]
 * @pattern ^(0[xX][0-9a-fA-F]{1,8}|[0-9]{1,10}|[A-Za-z_][A-Za-z0-9_.-]*)$
 * @minimum 0
 * @maximum 4294967295
 */
export type IdRef = number | string;

/**
 * A label or a config name: a letter or `_`, then letters, digits, `_`, `.` or `-`.
 * @pattern ^[A-Za-z_][A-Za-z0-9_.-]*$
 */
export type Name = string;

/**
 * A kernel name: a profile, then any hardening patches, each after `+` (`linux-7.1-sk-restore+lu-replace-check`);
 * src/kernel parseKernelName() says which profiles and patches exist.
 * @pattern ^[A-Za-z_][A-Za-z0-9_.-]*(\+[A-Za-z_][A-Za-z0-9_.-]*)*$
 */
export type KernelName = string;

/**
 * A file the step acts on: a config memfd, a config device (its VFIO cdev), `iommufd`, or an fd label.
 * @pattern ^[A-Za-z_][A-Za-z0-9_.-]*$
 */
export type FdRef = string;

/** The result a step must have: `ok`, or the errno name the call fails with. */
export type ExpectedResult = 'ok' | Errno;

/**
 * An invariant name (product.md "Invariants"), as `expect_violations` lists them.
 * @pattern ^[a-z]+(-[a-z]+)*$
 */
export type InvariantNameRef = string;

/** enum iommufd_ioas_map_flags without the IOMMU_IOAS_MAP_ prefix. */
export type MapFlagName = keyof typeof IOAS_MAP_FLAGS;
/** enum iommufd_hwpt_alloc_flags without the IOMMU_HWPT_ALLOC_ prefix. */
export type HwptAllocFlagName = keyof typeof HWPT_ALLOC_FLAGS;
/** F_SEAL_* without the F_SEAL_ prefix. */
export type SealName = keyof typeof F_SEALS;
/** enum iommufd_option without the IOMMU_OPTION_ prefix. */
export type OptionIdName = keyof typeof IOMMU_OPTION_IDS;
/** enum iommufd_option_ops without the IOMMU_OPTION_OP_ prefix. */
export type OptionOpName = keyof typeof IOMMU_OPTION_OPS;
/** enum iommu_hwpt_data_type without the IOMMU_HWPT_DATA_ prefix. */
export type HwptDataTypeName = keyof typeof IOMMU_HWPT_DATA_TYPES;
/** VFIO_DEVICE_ATTACH_* / VFIO_DEVICE_DETACH_* flags without the prefix. */
export type VfioPtFlagName = keyof typeof VFIO_DEVICE_PT_FLAGS;

/** struct iommu_iova_range: `last` is inclusive. */
export interface IovaRange {
  /** First IOVA of the range. */
  start: U64Value;
  /** Last IOVA of the range (inclusive). */
  last: U64Value;
}

// ---------------------------------------------------------------------------------------------------------------
// The file

/** A handover trace: the world it starts from and the calls userspace makes in it. */
export interface Trace {
  /** The format version. This handover reads version 1. */
  'handover-trace': 1;
  /** The kernel the trace runs on (a profile of src/kernel PROFILES, with any PATCHES); absent: the default profile. */
  kernel?: KernelName;
  /**
   * Where the sequence comes from, e.g. `tools/testing/selftests/iommu/iommufd.c iommufd_ioas.area`, so that
   * a reader can compare the trace with its origin. Shown by `handover verify`.
   */
  source?: string;
  /** What the trace shows, in a sentence or two. */
  description?: string;
  /** The world at the start: page size, memfds, process buffers, devices, memlock limit. */
  config: TraceConfig;
  /** The calls, in order. */
  steps: Step[];
}

/** The world a trace starts in. Config names (memfds, buffers, devices) are unique and are not `iommufd`. */
export interface TraceConfig {
  /** PAGE_SIZE in bytes, a power of two (default 4096). */
  pageSize?: U64Value;
  /** memfds created with memfd_create(MFD_ALLOW_SEALING) and sized with ftruncate. */
  memfds?: MemfdConfig[];
  /** Process memory for IOMMU_IOAS_MAP: anonymous mappings at fixed virtual addresses. */
  buffers?: BufferConfig[];
  /** Devices behind the IOMMU, each with a VFIO cdev the process has open. */
  devices?: DeviceConfig[];
  /**
   * RLIMIT_MEMLOCK in pages. When given, the process is unprivileged (no CAP_IPC_LOCK, no CAP_SYS_RESOURCE);
   * when absent it is privileged, as the kernel's selftests run.
   */
  rlimit_memlock?: U64Value;
  /**
   * The process's capabilities, by name without the CAP_ prefix, overriding what `rlimit_memlock` implies (all
   * of them without it, none with it). SYS_RESOURCE without IPC_LOCK is the one world where IOMMU_OPTION
   * RLIMIT_MODE=1 charges pins to mm->locked_vm.
   */
  capabilities?: CapabilityName[];
}

/** A capability the model knows, without the CAP_ prefix. */
export type CapabilityName = 'IPC_LOCK' | 'SYS_RESOURCE';

/** A memfd of the config. */
export interface MemfdConfig {
  /** The memfd's name; `fd` fields use it. */
  name: Name;
  /** Its size in pages. */
  pages: U32Value;
}

/** A process buffer of the config: `pages` pages mapped at `va`. */
export interface BufferConfig {
  /** The buffer's name (for reports). */
  name: Name;
  /** Its first virtual address, page aligned. */
  va: U64Value;
  /** Its length in pages. */
  pages: U32Value;
  /** Page indexes inside the buffer that are not backed (munmap'ed), so pinning them fails with EFAULT. */
  holes?: U32Value[];
}

/** A device of the config. Binding it creates exactly one iommufd object, the device. */
export interface DeviceConfig {
  /** The device's name; `device` fields use it. */
  name: Name;
  /** The IOMMU aperture [start, last] (inclusive); absent: the model's default. */
  aperture?: [U64Value, U64Value];
  /** The IOMMU's pgsize_bitmap in bytes (e.g. 2048 for the selftest mock domain); absent: the model's default. */
  pgsize?: U64Value;
  /**
   * Whether the IOMMU behind the device has IOMMU_CAP_DIRTY_TRACKING (default true; false is the selftest's
   * MOCK_FLAGS_DEVICE_NO_DIRTY).
   */
  dirty_tracking?: boolean;
  /**
   * Whether the IOMMU must break a translation before making one of another size (default false): a replace between
   * page tables whose leaf sizes differ then leaves the device without a translation for a moment.
   */
  break_before_make?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Steps

/** Fields every step may carry. */
export interface StepCommon extends StepNotes {
  /** The result the step must have; absent: the step is run and reported, not checked. */
  expect?: ExpectedResult;
}

/** The fields of every step that are not its result. */
export interface StepNotes {
  /** Free text for the reader (why this step is here); ignored by the replay. */
  comment?: string;
  /**
   * The invariants this step is expected to break, by name: the replay then checks that exactly these break at this
   * step, and counts them as expected, not as failures. For traces that demonstrate a violation (a rollback that
   * loses a device's translation, a rebuilt IOAS that maps another memfd offset).
   */
  expect_violations?: InvariantNameRef[];
}

/** Fields of every ioctl on an iommufd. */
export interface IommufdStepCommon extends StepCommon {
  /** The iommufd the ioctl is issued on: `iommufd` (the default, opened at the start) or an fd label. */
  iommufd?: FdRef;
}

/** Output fields of IOMMU_IOAS_ALLOC. */
export interface IoasAllocOut {
  /** The new IOAS's id. */
  out_ioas_id?: IdRef;
}
/** IOMMU_IOAS_ALLOC: a new, empty IOAS. */
export interface IommuIoasAllocStep extends IommufdStepCommon {
  op: 'IOMMU_IOAS_ALLOC';
  /** Must be 0 (no flags are defined). */
  flags?: U32Value;
  /** Label for the new IOAS's id (out_ioas_id). */
  as?: Name;
  /** Values the output fields must have. */
  expect_out?: IoasAllocOut;
}

/** IOMMU_DESTROY: destroy any object by id. */
export interface IommuDestroyStep extends IommufdStepCommon {
  op: 'IOMMU_DESTROY';
  /** The object's id (0 is never a valid id). */
  id: IdRef;
}

/** IOMMU_IOAS_ALLOW_IOVAS: replace the IOAS's list of allowed IOVA ranges. */
export interface IommuIoasAllowIovasStep extends IommufdStepCommon {
  op: 'IOMMU_IOAS_ALLOW_IOVAS';
  ioas_id: IdRef;
  /** The ranges (the struct's user pointer, carried inline); an empty list clears the allowed list. */
  allowed_iovas: IovaRange[];
  /** The count userspace claims; absent: the length of `allowed_iovas`. */
  num_iovas?: U32Value;
  /** Must be 0. */
  __reserved?: U32Value;
}

/** Output fields of IOMMU_IOAS_COPY. */
export interface IoasCopyOut {
  /** The IOVA the copy was placed at in the destination IOAS. */
  dst_iova?: U64Value;
}
/** IOMMU_IOAS_COPY: map into `dst_ioas_id` the pages already mapped at `src_iova` in `src_ioas_id`. */
export interface IommuIoasCopyStep extends IommufdStepCommon {
  op: 'IOMMU_IOAS_COPY';
  /**
   * FIXED_IOVA, WRITEABLE, READABLE, or the u32 as a number.
   * @minimum 0
   * @maximum 4294967295
   * @multipleOf 1
   */
  flags?: MapFlagName[] | number;
  dst_ioas_id: IdRef;
  src_ioas_id: IdRef;
  /** Length in bytes. */
  length: U64Value;
  /** Destination IOVA when FIXED_IOVA is set; otherwise the kernel picks one. */
  dst_iova?: U64Value;
  /** Source IOVA: the range must be fully covered by areas of the source IOAS. */
  src_iova: U64Value;
  expect_out?: IoasCopyOut;
}

/** Output fields of IOMMU_IOAS_IOVA_RANGES. */
export interface IoasIovaRangesOut {
  /** The total number of ranges (written back also on EMSGSIZE). */
  num_iovas?: U32Value;
  /** The IOAS's IOVA alignment. */
  out_iova_alignment?: U64Value;
  /** The ranges written into the user's buffer (at most the `num_iovas` given). */
  allowed_iovas?: IovaRange[];
}
/** IOMMU_IOAS_IOVA_RANGES: the usable IOVA ranges of an IOAS. */
export interface IommuIoasIovaRangesStep extends IommufdStepCommon {
  op: 'IOMMU_IOAS_IOVA_RANGES';
  ioas_id: IdRef;
  /** Capacity of the user's range buffer; fewer than the total gives EMSGSIZE (absent: 0, so always EMSGSIZE). */
  num_iovas?: U32Value;
  /** Must be 0. */
  __reserved?: U32Value;
  expect_out?: IoasIovaRangesOut;
}

/** Output fields of IOMMU_IOAS_MAP and IOMMU_IOAS_MAP_FILE. */
export interface IoasMapOut {
  /** The IOVA the area was placed at. */
  iova?: U64Value;
}
/** IOMMU_IOAS_MAP: map process memory at `user_va` into the IOAS. */
export interface IommuIoasMapStep extends IommufdStepCommon {
  op: 'IOMMU_IOAS_MAP';
  /**
   * FIXED_IOVA, WRITEABLE, READABLE, or the u32 as a number. Absent: 0, which the kernel refuses (EINVAL).
   * @minimum 0
   * @maximum 4294967295
   * @multipleOf 1
   */
  flags?: MapFlagName[] | number;
  ioas_id: IdRef;
  /** Must be 0. */
  __reserved?: U32Value;
  /** Process virtual address of the memory (see config.buffers). */
  user_va: U64Value;
  /** Length in bytes. */
  length: U64Value;
  /** The IOVA when FIXED_IOVA is set; otherwise the kernel picks one. */
  iova?: U64Value;
  expect_out?: IoasMapOut;
}

/** IOMMU_IOAS_MAP_FILE: map a range of a memfd into the IOAS. */
export interface IommuIoasMapFileStep extends IommufdStepCommon {
  op: 'IOMMU_IOAS_MAP_FILE';
  /**
   * FIXED_IOVA, WRITEABLE, READABLE, or the u32 as a number.
   * @minimum 0
   * @maximum 4294967295
   * @multipleOf 1
   */
  flags?: MapFlagName[] | number;
  ioas_id: IdRef;
  /** The memfd. */
  fd: FdRef;
  /** Byte offset in the file. */
  start?: U64Value;
  /** Length in bytes. */
  length: U64Value;
  /** The IOVA when FIXED_IOVA is set; otherwise the kernel picks one. */
  iova?: U64Value;
  expect_out?: IoasMapOut;
}

/** Output fields of IOMMU_IOAS_UNMAP. */
export interface IoasUnmapOut {
  /** Bytes unmapped. */
  length?: U64Value;
}
/** IOMMU_IOAS_UNMAP: unmap every area inside [iova, iova+length); iova 0 with length 0xffffffffffffffff unmaps all. */
export interface IommuIoasUnmapStep extends IommufdStepCommon {
  op: 'IOMMU_IOAS_UNMAP';
  ioas_id: IdRef;
  iova: U64Value;
  /** Length in bytes. */
  length: U64Value;
  expect_out?: IoasUnmapOut;
}

/** Output fields of IOMMU_OPTION. */
export interface OptionOut {
  /** The option's value (GET). */
  val64?: U64Value;
}
/** IOMMU_OPTION: get or set RLIMIT_MODE (global) or HUGE_PAGES (per IOAS). */
export interface IommuOptionStep extends IommufdStepCommon {
  op: 'IOMMU_OPTION';
  /**
   * RLIMIT_MODE or HUGE_PAGES, or the u32 as a number.
   * @minimum 0
   * @maximum 4294967295
   * @multipleOf 1
   */
  option_id: OptionIdName | number;
  /**
   * The struct's `op` field (renamed, since `op` names the step): SET or GET, or the u16 as a number.
   * @minimum 0
   * @maximum 65535
   * @multipleOf 1
   */
  option_op: OptionOpName | number;
  /** 0 for RLIMIT_MODE; the IOAS for HUGE_PAGES. */
  object_id?: IdRef;
  /** The value to SET. */
  val64?: U64Value;
  /** Must be 0. */
  __reserved?: U32Value;
  expect_out?: OptionOut;
}

/** Output fields of IOMMU_HWPT_ALLOC. */
export interface HwptAllocOut {
  /** The new HWPT's id. */
  out_hwpt_id?: IdRef;
}
/** IOMMU_HWPT_ALLOC: a HWPT for `dev_id` on the IOAS or parent HWPT `pt_id`. */
export interface IommuHwptAllocStep extends IommufdStepCommon {
  op: 'IOMMU_HWPT_ALLOC';
  /**
   * NEST_PARENT, DIRTY_TRACKING, FAULT_ID_VALID, PASID, or the u32 as a number.
   * @minimum 0
   * @maximum 4294967295
   * @multipleOf 1
   */
  flags?: HwptAllocFlagName[] | number;
  /** The device object (out_devid of VFIO_DEVICE_BIND_IOMMUFD). */
  dev_id: IdRef;
  /** An IOAS (a paging HWPT) or a HWPT (a nested one). */
  pt_id: IdRef;
  /** Must be 0. */
  __reserved?: U32Value;
  /**
   * The driver data type: NONE, VTD_S1, ARM_SMMUV3, SELFTEST, or the u32 as a number.
   * @minimum 0
   * @maximum 4294967295
   * @multipleOf 1
   */
  data_type?: HwptDataTypeName | number;
  /** Length of the driver data (its content is not modelled). */
  data_len?: U32Value;
  /** The fault queue object, used with FAULT_ID_VALID. */
  fault_id?: IdRef;
  /** Label for the new HWPT's id (out_hwpt_id). */
  as?: Name;
  expect_out?: HwptAllocOut;
}

/** IOMMU_TEST_CMD op IOMMU_TEST_OP_ADD_RESERVED (drivers/iommu/iommufd/iommufd_test.h): reserve an IOVA range. */
export interface IommuTestAddReservedStep extends IommufdStepCommon {
  op: 'IOMMU_TEST_OP_ADD_RESERVED';
  ioas_id: IdRef;
  /** First IOVA of the reserved range. */
  start: U64Value;
  /** Length in bytes. */
  length: U64Value;
}

/** Output fields of VFIO_DEVICE_BIND_IOMMUFD. */
export interface BindOut {
  /** The device object's id. */
  out_devid?: IdRef;
}
/** VFIO_DEVICE_BIND_IOMMUFD on the device's cdev: creates the device object in the iommufd. */
export interface VfioDeviceBindIommufdStep extends StepCommon {
  op: 'VFIO_DEVICE_BIND_IOMMUFD';
  /** The device (a config device, or an fd label of a cdev). */
  device: FdRef;
  /** The iommufd to bind to (the struct's `iommufd` fd): `iommufd` (the default) or an fd label. */
  iommufd?: FdRef;
  /** Must be 0. */
  flags?: U32Value;
  /** Label for the device object's id (out_devid). */
  as?: Name;
  expect_out?: BindOut;
}

/** Output fields of VFIO_DEVICE_ATTACH_IOMMUFD_PT. */
export interface AttachOut {
  /** The HWPT the device is now attached to (an automatic one when `pt_id` was an IOAS). */
  pt_id?: IdRef;
}
/** VFIO_DEVICE_ATTACH_IOMMUFD_PT: attach the bound device to an IOAS or a HWPT; a second attach replaces. */
export interface VfioDeviceAttachIommufdPtStep extends StepCommon {
  op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT';
  /** The device (a config device, or an fd label of a cdev). */
  device: FdRef;
  /** An IOAS or a HWPT. */
  pt_id: IdRef;
  /**
   * PASID (VFIO_DEVICE_ATTACH_PASID), or the u32 as a number.
   * @minimum 0
   * @maximum 4294967295
   * @multipleOf 1
   */
  flags?: VfioPtFlagName[] | number;
  /** The PASID when flags has PASID. */
  pasid?: U32Value;
  /** Label for the attached HWPT's id (the pt_id written back). */
  as?: Name;
  expect_out?: AttachOut;
}

/** VFIO_DEVICE_DETACH_IOMMUFD_PT: detach the device; its DMA is blocked afterwards. */
export interface VfioDeviceDetachIommufdPtStep extends StepCommon {
  op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT';
  /** The device (a config device, or an fd label of a cdev). */
  device: FdRef;
  /**
   * PASID (VFIO_DEVICE_DETACH_PASID), or the u32 as a number.
   * @minimum 0
   * @maximum 4294967295
   * @multipleOf 1
   */
  flags?: VfioPtFlagName[] | number;
  /** The PASID when flags has PASID. */
  pasid?: U32Value;
}

/** open("/dev/iommu"): a new iommufd. */
export interface IommufdOpenStep extends StepCommon {
  op: 'IOMMUFD_OPEN';
  /** Label for the new fd. */
  as?: Name;
  expect_out?: FdOut;
}

/** open("/dev/liveupdate") (exclusive: a second open is EBUSY). */
export interface LiveupdateOpenStep extends StepCommon {
  op: 'LIVEUPDATE_OPEN';
  /** Label for the new fd. */
  as?: Name;
  expect_out?: FdOut;
}

/** open() of a config device's VFIO cdev (/dev/vfio/devices/vfioN): a new, unbound cdev. */
export interface VfioDeviceOpenStep extends StepCommon {
  op: 'VFIO_DEVICE_OPEN';
  /** The device of the config (the hardware). */
  device: Name;
  /** Label for the new fd. */
  as?: Name;
  expect_out?: FdOut;
}

/**
 * A LUO session name: the content of the name[LIVEUPDATE_SESSION_NAME_LENGTH] buffer up to its NUL (a name of 64 or
 * more characters has none).
 * @maxLength 4096
 */
export type SessionName = string;

/** Output fields of the steps that return a new fd. */
export interface FdOut {
  /** The new fd. */
  fd?: U32Value;
}

/** LIVEUPDATE_IOCTL_CREATE_SESSION on /dev/liveupdate: a new outgoing session. */
export interface LiveupdateIoctlCreateSessionStep extends StepCommon {
  op: 'LIVEUPDATE_IOCTL_CREATE_SESSION';
  /** The /dev/liveupdate fd (absent: the one open now). */
  fd?: FdRef;
  name: SessionName;
  /** Label for the session's fd. */
  as?: Name;
  expect_out?: FdOut;
}

/** LIVEUPDATE_IOCTL_RETRIEVE_SESSION on /dev/liveupdate: an incoming session, once. */
export interface LiveupdateIoctlRetrieveSessionStep extends StepCommon {
  op: 'LIVEUPDATE_IOCTL_RETRIEVE_SESSION';
  /** The /dev/liveupdate fd (absent: the one open now). */
  fd?: FdRef;
  name: SessionName;
  /** Label for the session's fd. */
  as?: Name;
  expect_out?: FdOut;
}

/** LIVEUPDATE_SESSION_PRESERVE_FD on a session: preserve a file under a token. */
export interface LiveupdateSessionPreserveFdStep extends StepCommon {
  op: 'LIVEUPDATE_SESSION_PRESERVE_FD';
  /** The session's fd label. */
  session: FdRef;
  /** The file to preserve. */
  fd: FdRef;
  token: U64Value;
}

/** LIVEUPDATE_SESSION_RETRIEVE_FD on a retrieved session: the file preserved under a token, on a new fd. */
export interface LiveupdateSessionRetrieveFdStep extends StepCommon {
  op: 'LIVEUPDATE_SESSION_RETRIEVE_FD';
  /** The session's fd label. */
  session: FdRef;
  token: U64Value;
  /** Label for the retrieved file's fd. */
  as?: Name;
  expect_out?: FdOut;
}

/** LIVEUPDATE_SESSION_FINISH on a retrieved session: all or nothing on every file's can_finish. */
export interface LiveupdateSessionFinishStep extends StepCommon {
  op: 'LIVEUPDATE_SESSION_FINISH';
  /** The session's fd label. */
  session: FdRef;
}

/** IOMMU_HWPT_LU_SET_PRESERVE (the Google series): mark a HWPT_PAGING for preservation with a token. */
export interface IommuHwptLuSetPreserveStep extends IommufdStepCommon {
  op: 'IOMMU_HWPT_LU_SET_PRESERVE';
  hwpt_id: IdRef;
  hwpt_token: U64Value;
}

/** Output fields of IOMMU_HWPT_LU_RESTORE. */
export interface HwptLuRestoreOut {
  /** The new HWPT's id. */
  pt_id?: IdRef;
}
/** IOMMU_HWPT_LU_RESTORE on a retrieved iommufd: a HWPT around the domain restored for a token (no IOAS). */
export interface IommuHwptLuRestoreStep extends IommufdStepCommon {
  op: 'IOMMU_HWPT_LU_RESTORE';
  hwpt_token: U64Value;
  /** Label for the new HWPT's id (pt_id). */
  as?: Name;
  expect_out?: HwptLuRestoreOut;
}

/** A fault injected into a KEXEC (src/kernel uapi.ts KexecFault). */
export type KexecFaultStep =
  | {
    /** The handler's .freeze() of the file preserved under `token` fails: reboot() fails EINVAL. */
    name: 'freeze-fails';
    /** The LUO token of the file whose freeze fails. */
    token: U64Value;
  }
  | {
    /** kho_finalize() fails: reboot() fails EAGAIN. */
    name: 'kho-finalize-fails';
  }
  | {
    /** The new kernel cannot restore a preserved page-table page: BUG_ON, a panic. */
    name: 'restore-table-page-fails';
  };

/** What a KEXEC step may expect: `ok`, `PANIC` (the new kernel stopped at boot), or the errno reboot() failed with. */
export type KexecExpectedResult = 'ok' | 'PANIC' | Errno;

/**
 * reboot(LINUX_REBOOT_CMD_KEXEC) into a kernel profile. ok: the trace goes on in the new kernel, whose process has
 * no fd yet; an errno: reboot() failed and the old kernel runs on unchanged; PANIC: nothing after it runs.
 */
export interface KexecStep extends StepNotes {
  op: 'KEXEC';
  /** The kernel to boot (a profile, with any patches); absent: the kernel running now. */
  kernel?: KernelName;
  /** Faults to inject on the way (named settings). */
  faults?: KexecFaultStep[];
  expect?: KexecExpectedResult;
}

/** What a DMA step may expect: `ok` (it reached a frame) or `FAULT`. */
export type DmaExpectedResult = 'ok' | 'FAULT';

/** Output fields of DMA. */
export interface DmaOut {
  /** The frame reached: `"<memfd or buffer name>:<page index>"`, `kernel:<n>`, `pt:d<domain>:l<level>`, or `free:<pfn>`. */
  frame?: string;
}

/** One DMA by a device of the config (the hardware, whatever fd stands for it now), through its IOMMU page table. */
export interface DmaStep extends StepNotes {
  op: 'DMA';
  /** The device of the config. */
  device: Name;
  iova: U64Value;
  access: 'read' | 'write';
  expect?: DmaExpectedResult;
  expect_out?: DmaOut;
}

/** ftruncate(fd, length). */
export interface FtruncateStep extends StepCommon {
  op: 'FTRUNCATE';
  /** The file (a memfd). */
  fd: FdRef;
  /** The new size in bytes. */
  length: U64Value;
}

/** fcntl(fd, F_ADD_SEALS, seals). */
export interface FAddSealsStep extends StepCommon {
  op: 'F_ADD_SEALS';
  /** The file (a memfd). */
  fd: FdRef;
  /**
   * SEAL, SHRINK, GROW, WRITE, FUTURE_WRITE, EXEC, or the int as a number.
   * @minimum 0
   * @maximum 2147483647
   * @multipleOf 1
   */
  seals: SealName[] | number;
}

/** close(fd): the last close of an iommufd destroys every object in it. */
export interface CloseStep extends StepCommon {
  op: 'CLOSE';
  /** The file. */
  fd: FdRef;
}

/** One step of a trace, told apart by `op`. */
export type Step =
  | IommuDestroyStep
  | IommuIoasAllocStep
  | IommuIoasAllowIovasStep
  | IommuIoasCopyStep
  | IommuIoasIovaRangesStep
  | IommuIoasMapStep
  | IommuIoasMapFileStep
  | IommuIoasUnmapStep
  | IommuOptionStep
  | IommuHwptAllocStep
  | IommuTestAddReservedStep
  | VfioDeviceBindIommufdStep
  | VfioDeviceAttachIommufdPtStep
  | VfioDeviceDetachIommufdPtStep
  | FtruncateStep
  | FAddSealsStep
  | CloseStep
  | IommufdOpenStep
  | LiveupdateOpenStep
  | VfioDeviceOpenStep
  | LiveupdateIoctlCreateSessionStep
  | LiveupdateIoctlRetrieveSessionStep
  | LiveupdateSessionPreserveFdStep
  | LiveupdateSessionRetrieveFdStep
  | LiveupdateSessionFinishStep
  | IommuHwptLuSetPreserveStep
  | IommuHwptLuRestoreStep
  | KexecStep
  | DmaStep;

/** The name of a step, i.e. its `op`. */
export type StepOp = Step['op'];

// ---------------------------------------------------------------------------------------------------------------
// `handover replay --json` output: one ReplayLine per line.
// u64 values are strings in lower-case 0x hex ("0x1000"); ids and u32 values are JSON numbers.

/**
 * What a step did: `ok`, the errno it failed with, `PANIC` (a KEXEC whose new kernel stopped: the trace stops
 * there), `FAULT` (a DMA with no translation or no permission), `NOT_MODELLED` when the model refuses the call as
 * outside what it models (the trace stops there), or `UNRESOLVED` when a label it uses was never bound because the
 * step that binds it failed (the trace stops there).
 */
export type ReplayResult = 'ok' | Errno | 'PANIC' | 'FAULT' | 'NOT_MODELLED' | 'UNRESOLVED';

/** An invariant broken after a step. */
export interface ReplayViolation {
  /** The invariant's name (product.md "Invariants"), e.g. `domain-matches-areas`. */
  invariant: string;
  /** What was wrong, in the invariant's words. */
  message: string;
}

/** One field that did not have the value the trace expected. */
export interface ReplayMismatch {
  /** `result`, or the output field's name. */
  field: string;
  /** The expected value as the trace wrote it (ids resolved to numbers, u64 in 0x hex). */
  expected: unknown;
  /** The value the model produced, or null when the field was not written back. */
  actual: unknown;
}

/** Output fields by name, as a step wrote them back (u64 as 0x hex strings, ids and u32 as numbers). */
export interface ReplayOut {
  [field: string]: unknown;
}

/** A label bound by a step's `as`. */
export interface ReplayBinding {
  label: string;
  /** The id (or fd) the label now names. */
  value: number;
}

/** A step's expectations, as the trace wrote them, and whether they were met. */
export interface ReplayExpectation {
  /** `expect`: `ok` or an errno name. */
  result?: string;
  /** `expect_out`, with labels resolved to the ids they name and u64 in 0x hex (as written, for a step that did not run). */
  out?: ReplayOut;
  /** `expect_violations`: the invariants the step was expected to break. */
  violations?: string[];
  met: boolean;
  /** What differed; empty when met. */
  mismatches: ReplayMismatch[];
}

/** One line of `replay --json` per step that ran. */
export interface ReplayStepLine {
  /** The trace file, as given on the command line. */
  file: string;
  /** The step's index in `steps` (from 0). */
  step: number;
  op: string;
  result: ReplayResult;
  /** Output fields the call wrote back. */
  out: ReplayOut;
  /** The label `as` bound, and the id it now names. */
  bound?: ReplayBinding;
  /** The model's rule for this outcome: the kernel function and check it mirrors. */
  rule?: string;
  /** Set when a failed IOMMU_IOAS_UNMAP removed some areas before failing, as the kernel does. */
  partial?: true;
  /** Why the step did not run (NOT_MODELLED, UNRESOLVED). */
  reason?: string;
  /** The step's expectations and whether they were met; absent when the step had none. */
  expected?: ReplayExpectation;
  /** Invariants broken after this step. */
  violations?: ReplayViolation[];
}

/** The last line for each file of `replay --json`. */
export interface ReplaySummaryLine {
  file: string;
  summary: ReplaySummary;
}

/** Counts for one trace. */
export interface ReplaySummary {
  /** The kernel profile the trace ran on. */
  kernel: string;
  /** The trace's `source` field, when it has one. */
  source?: string;
  /** Steps in the trace. */
  steps: number;
  /** Steps that ran (a NOT_MODELLED or UNRESOLVED step stops the trace). */
  ran: number;
  /** Steps with `expect` or `expect_out`. */
  checked: number;
  /** Checked steps whose expectations were all met. */
  met: number;
  /** Invariant breaks, over all steps (expected ones included). */
  violations: number;
  /** Of those, the ones a step's `expect_violations` listed. */
  expectedViolations: number;
  /** Invariant breaks by invariant name. */
  violationsByInvariant: InvariantCounts;
  /** PASS: every step ran, every expectation was met, no invariant broke that a step did not expect to break. */
  verdict: 'PASS' | 'FAIL';
}

/** A count per invariant name. */
export interface InvariantCounts {
  [invariant: string]: number;
}

/** One line of `handover replay --json`. */
export type ReplayLine = ReplayStepLine | ReplaySummaryLine;

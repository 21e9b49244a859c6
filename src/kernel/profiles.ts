/**
 * Kernel profiles: what differs between the kernels the model stands for. A trace's `kernel` field names one, and a
 * KEXEC step names the one it boots; `DEFAULT_PROFILE` (the kernel with the IOMMU live-update restore path, where the
 * Google series is going) is used when a trace names none.
 *
 * Each field says which kernel code it selects. Where a difference is a modelling assumption and not a documented
 * kernel fact, the field's comment says so. `liveUpdate` carries the ABI compatible of each live-update layer (KHO,
 * LUO and its session format, memfd, iommufd, VFIO cdev, the IOMMU FLB): a kexec compares the old kernel's strings
 * with the new kernel's, layer by layer, as each layer's restore code does (domain.md §E), and that comparison alone
 * decides what the new kernel does with the state (continue, panic, refuse, or lose a device's translation).
 *
 * A kernel name is a profile, optionally followed by hardening patches: `linux-7.1-sk-restore+lu-replace-check` is
 * that kernel with the check the review thread asks for (PATCHES). A patch is a change nobody has posted yet: the
 * strategies (machines/strategies/) name the patches they rely on, and the proofs show what each one buys.
 */
import { IOAS_MAP_FLAGS, HWPT_ALLOC_FLAGS, type IoctlName } from './uapi.ts';

/** The kernels modelled. */
export type ProfileName =
  | 'linux-6.12' | 'linux-6.12.0-thp' | 'linux-6.16' | 'linux-6.19' | 'linux-7.1' | 'linux-7.1-sk-v1'
  | 'linux-7.1-sk-restore' | 'linux-7.2';

/** LUO as one kernel has it (kernel/liveupdate/luo_core.c, luo_session.c, luo_file.c). */
export interface LuoProfile {
  /**
   * LUO_FDT_COMPATIBLE / LUO_ABI_COMPATIBLE: the root of the LUO subtree. A mismatch at boot panics. (The session
   * node has its own compatible, "luo-session-v2" in every kernel modelled; later LUO folds session changes into
   * this one, "luo-v4" -> "luo-v5" for the growing file blocks.)
   */
  compatible: string;
  /**
   * The fixed limits of the older merged LUO: LUO_FILE_MAX (2 pages of 64-byte luo_file_ser: 128 files per session,
   * PRESERVE_FD ENOSPC) and LUO_SESSION_MAX (16 pages less the 8-byte header, of 80-byte luo_session_ser {name[64],
   * luo_file_set_ser}: 819 sessions, CREATE_SESSION ENOMEM; the code comment's "744" is the arithmetic of an earlier
   * 88-byte luo_session_ser). null: the newest LUO, whose linked blocks grow ("liveupdate: Remove limit on the number
   * of files per session / sessions", June 2026).
   */
  limits: { filesPerSession: number; sessions: number } | null;
  /**
   * Session ioctls are typed (luo_session.c of the newest LUO, liveupdate.c selftest @2f3f53a3): PRESERVE_FD on an
   * outgoing session only, RETRIEVE_FD and FINISH on a retrieved one only, else EINVAL. Without it the older LUO runs
   * a mistyped ioctl on the wrong list; the model refuses that as not modelled.
   */
  typedSessionIoctls: boolean;
  /**
   * Session names are checked (newest LUO): empty or not NUL-terminated within LIVEUPDATE_SESSION_NAME_LENGTH (64)
   * is EINVAL. Without it luo_session_alloc()'s strscpy() truncates a long name to 63 bytes.
   */
  sessionNameChecks: boolean;
}

/** The live-update layers of one kernel. Every field null: a kernel without KHO (kexec hands nothing over). */
export interface LiveUpdateProfile {
  /** KHO_FDT_COMPATIBLE (kexec_handover.c, include/linux/kho/abi/kexec_handover.h), or null: no KHO. */
  kho: string | null;
  /** LUO, or null: no /dev/liveupdate. */
  luo: LuoProfile | null;
  /**
   * The memfd handler (mm/memfd_luo.c, include/linux/kho/abi/memfd.h): its compatible, and whether it preserves
   * seals (memfd-v2, Pratyush Yadav <20260123095854.535058-1-pratyush@kernel.org>). memfd-v2 accepts every seal of
   * F_ALL_SEALS (MEMFD_LUO_ALL_SEALS is all six), so its EOPNOTSUPP for an unsupported seal is unreachable here.
   */
  memfd: { compatible: string; seals: boolean } | null;
  /**
   * The iommufd handler (SK-v1 11/14, IOMMUFD_LUO_COMPATIBLE "iommufd-v1"), and whether this kernel has the restore
   * path of the author's tree (retrieve, IOMMU_HWPT_LU_RESTORE, can_finish: drivers/iommu/iommufd/liveupdate.c
   * @039a2632). Without it (SK-v1 as posted) retrieve is EOPNOTSUPP and can_finish is always false.
   */
  iommufd: { compatible: string; restore: boolean } | null;
  /** The VFIO cdev handler (SK-v1 12-14/14; DM-v3 "vfio-pci-v1"). */
  vfio: { compatible: string } | null;
  /**
   * The IOMMU live-update handler (drivers/iommu/liveupdate.c, its FLB): preserved domains are restored from their
   * table pages and devices re-attached at boot. null: the IOMMU driver's init disables translation it finds enabled
   * outside a kdump kernel (VT-d "Translation was enabled for %s but we are not in kdump mode"), domain.md §E.
   */
  iommu: { flb: string } | null;
}

/**
 * How iopt_alloc_iova() tests a candidate hole (drivers/iommu/iommufd/io_pagetable.c):
 * - `wrapping-align`: `start = ALIGN(start, A) | page_offset`, accepted when `start <= last` and the hole is long
 *   enough. ALIGN() can wrap past ULONG_MAX; the CONFIG_IOMMUFD_TEST re-check of the chosen IOVA then fails the map
 *   with EINVAL, or IOVA 0 comes back (v6.12.0 and earlier).
 * - `checked-align`: __alloc_iova_check_range(): an ALIGN() that would overflow skips the hole, and the aligned
 *   start must be strictly below `last` (the fix for syzbot c2f65e2801743ca64e08: v6.16, backported to stable:
 *   Debian's 6.12.117 has it, as the oracle run showed, proofs/conformance/ORACLE.md).
 */
export type IovaHoleCheck = 'wrapping-align' | 'checked-align';

/**
 * How one iommu_map() call lays out leaves in the io page table:
 * - `largest-fit`: drivers/iommu/iommu.c iommu_pgsize(): at each step the largest page size of the domain's
 *   pgsize_bitmap that fits the alignment of (iova | paddr) and the remaining length.
 * - `base-pages`: every leaf is the domain's smallest page size (a driver that advertises large pages but does not
 *   use them, or a domain whose bitmap has one size; the 6.12 selftest mock domain is the latter).
 */
export type PageTableLayout = 'largest-fit' | 'base-pages';

/** One kernel: what the model does differently for it. */
export interface Profile {
  name: ProfileName;
  /** The kernel (version and configuration) this profile stands for. */
  description: string;
  /** Ioctls that exist; any other ioctl number is ENOTTY, as an unknown ioctl is (main.c iommufd_fops_ioctl). */
  ioctls: readonly IoctlName[];
  iovaAllocator: {
    holeCheck: IovaHoleCheck;
    /**
     * CONFIG_TRANSPARENT_HUGEPAGE: the automatic IOVA alignment is capped at HPAGE_SIZE (512 pages) instead of
     * PAGE_SIZE ("iommufd: Protect against overflow of ALIGN() during iova allocation", v6.11).
     */
    thp: boolean;
  };
  pageTableLayout: PageTableLayout;
  /** iopt_alloc_user_pages(): `uptr + length` overflowing is EOVERFLOW at map time (v6.13 refactor for MAP_FILE). */
  userPagesOverflowCheck: boolean;
  /** IOMMU_HWPT_ALLOC flags a paging HWPT accepts (hw_pagetable.c iommufd_hwpt_paging_alloc() valid_flags). */
  hwptPagingFlags: number;
  /** IOMMU_HWPT_ALLOC flags a nested HWPT accepts (iommufd_hwpt_nested_alloc()). */
  hwptNestedFlags: number;
  /**
   * VFIO_DEVICE_{ATTACH,DETACH}_IOMMUFD_PT `flags` (drivers/vfio/device_cdev.c): `zero` = any flag is EINVAL;
   * `pasid` = VFIO_DEVICE_ATTACH_PASID is defined (the PASID attach itself is not modelled).
   */
  vfioPtFlags: 'zero' | 'pasid';
  /** The live-update layers and their ABI compatibles. */
  liveUpdate: LiveUpdateProfile;
}

const BASE_IOCTLS: readonly IoctlName[] = [
  'IOMMU_DESTROY', 'IOMMU_IOAS_ALLOC', 'IOMMU_IOAS_ALLOW_IOVAS', 'IOMMU_IOAS_COPY', 'IOMMU_IOAS_IOVA_RANGES',
  'IOMMU_IOAS_MAP', 'IOMMU_IOAS_UNMAP', 'IOMMU_OPTION', 'IOMMU_HWPT_ALLOC', 'IOMMU_TEST_OP_ADD_RESERVED',
  'VFIO_DEVICE_BIND_IOMMUFD', 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', 'VFIO_DEVICE_DETACH_IOMMUFD_PT',
];

/** 6.12's valid_flags for a paging HWPT: FAULT_ID_VALID alone is EOPNOTSUPP there (checked on 6.12.117, ORACLE.md). */
const PAGING_FLAGS_6_12 = HWPT_ALLOC_FLAGS.NEST_PARENT | HWPT_ALLOC_FLAGS.DIRTY_TRACKING;

/** A kernel without KHO or LUO. */
const NO_LIVE_UPDATE: LiveUpdateProfile = { kho: null, luo: null, memfd: null, iommufd: null, vfio: null, iommu: null };

/** KHO as merged in 6.16 (xarray tracker, finalize): "kho-v1" (kexec_handover.c @dd03dd60). */
const KHO_V1 = 'kho-v1';
/**
 * KHO with the radix-tree preserved-memory map (Jason Miu, "kho: Adopt radix tree for preserved memory tracking",
 * v9 Feb 2026, which bumps the compatible to "kho-v2"). MODELLING ASSUMPTION: 7.1 and 7.2 carry this ABI; the later
 * "kho-v4" (blob-size) seen in a newer header is not placed in a release here.
 */
const KHO_V2 = 'kho-v2';

/** The LUO of 7.1 and the IOMMU series on it: fixed limits, typed session ioctls, checked names. */
const LUO_7_1: LuoProfile = {
  // "luo-v4" is the value "liveupdate: Remove limit on the number of files per session" (June 2026, in v7.2-rc1)
  // replaces with "luo-v5". MODELLING ASSUMPTION: the typed session ioctls and name checks are in 7.1.
  compatible: 'luo-v4', limits: { filesPerSession: 128, sessions: 819 },
  typedSessionIoctls: true, sessionNameChecks: true,
};

/** IOMMUFD and VFIO of 6.16 (every later profile keeps them). */
const IOMMUFD_6_16 = {
  iovaAllocator: { holeCheck: 'checked-align', thp: true },
  pageTableLayout: 'largest-fit',
  userPagesOverflowCheck: true,
  hwptPagingFlags: PAGING_FLAGS_6_12 | HWPT_ALLOC_FLAGS.FAULT_ID_VALID | HWPT_ALLOC_FLAGS.PASID,
  hwptNestedFlags: HWPT_ALLOC_FLAGS.FAULT_ID_VALID | HWPT_ALLOC_FLAGS.PASID,
  vfioPtFlags: 'pasid',
} as const;

const IOCTLS_6_16: readonly IoctlName[] = [...BASE_IOCTLS, 'IOMMU_IOAS_MAP_FILE'];
const IOCTLS_SK: readonly IoctlName[] = [...IOCTLS_6_16, 'IOMMU_HWPT_LU_SET_PRESERVE'];
const IOCTLS_SK_RESTORE: readonly IoctlName[] = [...IOCTLS_SK, 'IOMMU_HWPT_LU_RESTORE'];

/** The SK series' live-update layers on a 7.1 base (MODELLING ASSUMPTION: SK-v1 was posted on a 7.0-era base). */
function skLiveUpdate(restore: boolean): LiveUpdateProfile {
  return {
    kho: KHO_V2,
    luo: LUO_7_1,
    memfd: { compatible: 'memfd-v2', seals: true },
    iommufd: { compatible: 'iommufd-v1', restore },
    vfio: { compatible: 'vfio-pci-v1' },
    // MODELLING ASSUMPTION: SK-v1 and the restore-path prototype share one IOMMU FLB format (domain.md §D.5 lists
    // "iommu-liveupdate" version 1 and "iommu-liveupdate-v1" without saying which tree has which).
    iommu: { flb: 'iommu-liveupdate-v1' },
  };
}

/** Every profile, by name. */
export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  'linux-6.12': {
    name: 'linux-6.12',
    description:
      'Linux 6.12.117 as the real-kernel oracle builds it (Debian linux-source-6.12, tinyconfig + IOMMUFD + IOMMUFD_TEST, ' +
      'no CONFIG_TRANSPARENT_HUGEPAGE). No IOMMU_IOAS_MAP_FILE (6.13).',
    ioctls: BASE_IOCTLS,
    iovaAllocator: { holeCheck: 'checked-align', thp: false },
    // MODELLING ASSUMPTION: 6.12 stands for a host whose IOMMU driver maps base pages only. For the selftest mock
    // domain of 6.12 (pgsize_bitmap = MOCK_IO_PAGE_SIZE) this is exact; for a PCI IOMMU it is a choice made so that
    // the two profiles lay out page tables differently (both kernels' iommu core uses iommu_pgsize()).
    pageTableLayout: 'base-pages',
    userPagesOverflowCheck: false,
    hwptPagingFlags: PAGING_FLAGS_6_12,
    hwptNestedFlags: HWPT_ALLOC_FLAGS.FAULT_ID_VALID,
    vfioPtFlags: 'zero',
    liveUpdate: NO_LIVE_UPDATE,
  },
  'linux-6.12.0-thp': {
    name: 'linux-6.12.0-thp',
    description:
      'Linux 6.12.0 as released, with a distribution configuration (CONFIG_TRANSPARENT_HUGEPAGE=y, IOMMUFD_TEST for the ' +
      'selftest mock). With automatic alignments up to HPAGE_SIZE, the wrapping ALIGN() of its IOVA allocator is ' +
      'reachable near the top of the address space (syzbot c2f65e2801743ca64e08, fixed in 6.16 and stable).',
    ioctls: BASE_IOCTLS,
    iovaAllocator: { holeCheck: 'wrapping-align', thp: true },
    // MODELLING ASSUMPTION: as linux-6.12.
    pageTableLayout: 'base-pages',
    userPagesOverflowCheck: false,
    hwptPagingFlags: PAGING_FLAGS_6_12,
    hwptNestedFlags: HWPT_ALLOC_FLAGS.FAULT_ID_VALID,
    vfioPtFlags: 'zero',
    liveUpdate: NO_LIVE_UPDATE,
  },
  'linux-6.16': {
    name: 'linux-6.16',
    description:
      'Mainline Linux 6.16 with a distribution configuration (CONFIG_TRANSPARENT_HUGEPAGE=y, IOMMUFD_TEST for the ' +
      'selftest mock): IOMMU_IOAS_MAP_FILE, PASID-capable HWPTs and VFIO PASID attach, the checked IOVA allocator. ' +
      'KHO ("kho-v1", merged in 6.16) but no LUO: no /dev/liveupdate.',
    ioctls: IOCTLS_6_16,
    ...IOMMUFD_6_16,
    liveUpdate: { ...NO_LIVE_UPDATE, kho: KHO_V1 },
  },
  'linux-6.19': {
    name: 'linux-6.19',
    description:
      'Linux 6.19, the first merged LUO: KHO "kho-v1", LUO "luo-v1" with the fixed limits (128 files per session, ' +
      '819 sessions), untyped session ioctls, memfd-v1 (seals are not preserved). No IOMMU, iommufd or VFIO ' +
      'live-update handler. iommufd as 6.16.',
    ioctls: IOCTLS_6_16,
    ...IOMMUFD_6_16,
    liveUpdate: {
      ...NO_LIVE_UPDATE,
      kho: KHO_V1,
      luo: { compatible: 'luo-v1', limits: { filesPerSession: 128, sessions: 819 }, typedSessionIoctls: false, sessionNameChecks: false },
      memfd: { compatible: 'memfd-v1', seals: false },
    },
  },
  'linux-7.1': {
    name: 'linux-7.1',
    description:
      'Mainline Linux 7.1 without the IOMMU live-update series: KHO "kho-v2" (radix tree), LUO "luo-v4" with the fixed ' +
      'limits, typed session ioctls and checked names, memfd-v2 (seals preserved). No IOMMU, iommufd or VFIO handler: ' +
      'what a rollback from the series lands on.',
    ioctls: IOCTLS_6_16,
    ...IOMMUFD_6_16,
    liveUpdate: { ...NO_LIVE_UPDATE, kho: KHO_V2, luo: LUO_7_1, memfd: { compatible: 'memfd-v2', seals: true } },
  },
  'linux-7.1-sk-v1': {
    name: 'linux-7.1-sk-v1',
    description:
      'Linux 7.1 with the IOMMU live-update series as posted (SK-v1, "[PATCH 00/14] iommu: Add live update state ' +
      'preservation", <20260203220948.2176157-1-skhawaja@google.com>): IOMMU_HWPT_LU_SET_PRESERVE, iommufd and VFIO cdev ' +
      'preservation, the IOMMU restoring preserved domains at boot; retrieving the iommufd is EOPNOTSUPP and its ' +
      'can_finish is false (the restore path is Phase 2).',
    ioctls: IOCTLS_SK,
    ...IOMMUFD_6_16,
    liveUpdate: skLiveUpdate(false),
  },
  'linux-7.1-sk-restore': {
    name: 'linux-7.1-sk-restore',
    description:
      'Linux 7.1 with the IOMMU live-update series and the restore path of its author\'s tree (samikhawaja/linux ' +
      'drivers/iommu/iommufd/liveupdate.c @039a2632): the retrieved iommufd, IOMMU_HWPT_LU_RESTORE, can_finish gated on ' +
      'every preserved HWPT reclaimed and no device left on a restored domain. The default profile.',
    ioctls: IOCTLS_SK_RESTORE,
    ...IOMMUFD_6_16,
    liveUpdate: skLiveUpdate(true),
  },
  'linux-7.2': {
    name: 'linux-7.2',
    description:
      'Mainline Linux 7.2: LUO without fixed limits (sessions and files per session grow in linked KHO blocks, ' +
      'LUO_ABI_COMPATIBLE "luo-v5", v7.2-rc1). No IOMMU, iommufd or VFIO handler. KHO as 7.1 (MODELLING ASSUMPTION).',
    ioctls: IOCTLS_6_16,
    ...IOMMUFD_6_16,
    liveUpdate: {
      ...NO_LIVE_UPDATE,
      kho: KHO_V2,
      luo: { ...LUO_7_1, compatible: 'luo-v5', limits: null },
      memfd: { compatible: 'memfd-v2', seals: true },
    },
  },
};

/** The kernel a trace without a `kernel` field runs on: the series with the restore path. */
export const DEFAULT_PROFILE: ProfileName = 'linux-7.1-sk-restore';

/** IOMMU_IOAS_MAP_FLAGS every profile accepts for MAP, MAP_FILE and COPY. */
export const MAP_FLAGS_ALL = IOAS_MAP_FLAGS.FIXED_IOVA | IOAS_MAP_FLAGS.WRITEABLE | IOAS_MAP_FLAGS.READABLE;

/** True when `name` is a profile (without patches). */
export function isProfileName(name: string): name is ProfileName {
  return Object.prototype.hasOwnProperty.call(PROFILES, name);
}

/**
 * Hardening patches: kernel changes asked for in review but in no posted series. Each is MODELLING ASSUMPTION by
 * nature (there is no code to read yet): its comment says what the kernel would check, and where it is asked for.
 */
export type PatchName = 'lu-replace-check' | 'lu-hold-until-finish' | 'lu-hold-attachment' | 'lu-reboot-after-finish' | 'lu-finish-unrestored';

export const PATCHES: Readonly<Record<PatchName, { description: string; source: string }>> = {
  'lu-replace-check': {
    description:
      'iommufd_device_do_replace() refuses (EINVAL) to move a device off a domain restored by a live update unless the ' +
      'new domain translates exactly as the restored one (every IOVA to the same frame with the same prot) and, on ' +
      'break-before-make hardware, with the same leaf sizes. The errno is not given in the thread: EINVAL, as for an ' +
      'incompatible domain.',
    source: 'domain.md §D.1, §D.5, §F I11-I12: Jason Gunthorpe in the SK-v1 thread (7 and 10 Oct) asks that the kernel, ' +
      'not userspace, make sure the rebuilt table matches before the replace; break-before-make: G-THR 7/9 Oct, SK-RPL',
  },
  'lu-hold-until-finish': {
    description:
      'While the session that preserved a device is not finished, the HWPT the device was replaced onto and the IOAS ' +
      'behind it hold their translations: IOMMU_IOAS_UNMAP of that IOAS, a detach of the device, and a replace onto ' +
      'another HWPT are EBUSY (as the IOAS of a preserved HWPT is before the kexec). What the model shows is needed ' +
      'besides lu-replace-check: without it, a rebuilt table that matched at the replace can be changed before FINISH.',
    source: 'found by proofs/s4-hitless-replace/s4-replace-check-only-adversarial-same; the blackout rule it extends is ' +
      'SK-v1 11/14 iommufd_ioas_map/unmap -EBUSY on a preserved IOAS (domain.md §D.5)',
  },
  'lu-hold-attachment': {
    description:
      'From the preserve of the iommufd holding the marked HWPT a device is attached to (or of the device\'s cdev with ' +
      'IOMMU state) until the kexec, the device stays attached: a detach or a replace onto another HWPT is EBUSY (as ' +
      'the IOAS of a preserved HWPT is immutable then). Without it the device can be detached after its preserve and ' +
      'loses its translation while its live update is under way; detached between the iommufd and the cdev preserve, ' +
      'its HWPT is preserved with no domain to restore, IOMMU_HWPT_LU_RESTORE cannot reclaim it, and the session can ' +
      'never finish.',
    source: 'found by the random runs (test/random/findings.test.ts) and proofs/s4-hitless-replace/s4-hardened-first-cut-adversarial-same; ' +
      'the immutability it extends is SK-v1 11/14 (domain.md §D.5, §F I7, I10)',
  },
  'lu-reboot-after-finish': {
    description:
      'liveupdate_reboot() refuses (EBUSY) a kexec while a device the IOMMU restored at boot is still claimed (its ' +
      'session is not finished): nothing would preserve its tables again, so the next kernel\'s early allocations would ' +
      'land on frames the device still walks.',
    source: 'found by the random runs (test/random/findings.test.ts) and proofs/s4-hitless-replace/s4-hardened-first-cut-adversarial-same; ' +
      'product.md lists "a second kexec before finish" among the faults; domain.md §F I9-I10',
  },
  'lu-finish-unrestored': {
    description:
      'A preserved HWPT whose domain the new kernel did not restore (no device was preserved on it) has nothing to ' +
      'reclaim: can_finish does not wait for an IOMMU_HWPT_LU_RESTORE that can only fail (ENOENT). Without it such a ' +
      'session can never finish (FINISH is EBUSY for ever).',
    source: 'found by proofs/s4-hitless-replace (no-deadlock of the adversarial proofs: a device detached before the ' +
      'iommufd preserve); can_finish as in samikhawaja/linux drivers/iommu/iommufd/liveupdate.c @039a2632 (domain.md §D.5)',
  },
};

/** A profile with the patches of a kernel name, or why the name is not one. */
export interface KernelSpec {
  profile: Profile;
  patches: readonly PatchName[];
}

const specs = new Map<string, KernelSpec>();

/** Parses `profile(+patch)*` (each patch at most once); a string says what is wrong with `name`. */
export function parseKernelName(name: string): KernelSpec | string {
  const known = specs.get(name);
  if (known) return known;
  const [base = '', ...patches] = name.split('+');
  if (!isProfileName(base)) return `unknown kernel profile "${base}" (the profiles are ${Object.keys(PROFILES).join(', ')})`;
  for (const p of patches) {
    if (!Object.prototype.hasOwnProperty.call(PATCHES, p)) return `unknown patch "${p}" (the patches are ${Object.keys(PATCHES).join(', ')})`;
  }
  if (new Set(patches).size !== patches.length) return `a patch is named twice in "${name}"`;
  const spec = { profile: PROFILES[base], patches: patches as PatchName[] };
  specs.set(name, spec);
  return spec;
}

/** True when `name` is a profile with any patches. */
export function isKernelName(name: string): boolean {
  return typeof parseKernelName(name) !== 'string';
}

/** The profile of a kernel the model runs (its name was checked when it booted). */
export function profileOf(name: string): Profile {
  const spec = parseKernelName(name);
  if (typeof spec === 'string') throw new Error(`model bug: ${spec}`);
  return spec.profile;
}

/** True when the kernel `name` carries `patch`. */
export function hasPatch(name: string, patch: PatchName): boolean {
  const spec = parseKernelName(name);
  return typeof spec !== 'string' && spec.patches.includes(patch);
}

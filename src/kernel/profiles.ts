/**
 * Kernel profiles: what differs between the kernels the model stands for. A trace's `kernel` field names one;
 * `DEFAULT_PROFILE` (the newest kernel modelled) is used when it names none.
 *
 * Each field says which kernel code it selects. Where a difference is a modelling assumption and not a documented
 * kernel fact, the field's comment says so. The live-update issue adds the ABI compatibles of KHO, LUO, the session
 * format, memfd, iommufd and the IOMMU FLB, whether seals are preserved and whether the IOMMU live-update handler
 * exists; `liveUpdate` is where they go.
 */
import { IOAS_MAP_FLAGS, HWPT_ALLOC_FLAGS, type IoctlName } from './uapi.ts';

/** The kernels modelled. */
export type ProfileName = 'linux-6.12' | 'linux-6.12.0-thp' | 'linux-6.16';

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
  /** Live-update ABI settings: added by the live-update issue. */
  liveUpdate: null;
}

const BASE_IOCTLS: readonly IoctlName[] = [
  'IOMMU_DESTROY', 'IOMMU_IOAS_ALLOC', 'IOMMU_IOAS_ALLOW_IOVAS', 'IOMMU_IOAS_COPY', 'IOMMU_IOAS_IOVA_RANGES',
  'IOMMU_IOAS_MAP', 'IOMMU_IOAS_UNMAP', 'IOMMU_OPTION', 'IOMMU_HWPT_ALLOC', 'IOMMU_TEST_OP_ADD_RESERVED',
  'VFIO_DEVICE_BIND_IOMMUFD', 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', 'VFIO_DEVICE_DETACH_IOMMUFD_PT',
];

/** 6.12's valid_flags for a paging HWPT: FAULT_ID_VALID alone is EOPNOTSUPP there (checked on 6.12.117, ORACLE.md). */
const PAGING_FLAGS_6_12 = HWPT_ALLOC_FLAGS.NEST_PARENT | HWPT_ALLOC_FLAGS.DIRTY_TRACKING;

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
    liveUpdate: null,
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
    liveUpdate: null,
  },
  'linux-6.16': {
    name: 'linux-6.16',
    description:
      'Mainline Linux 6.16 with a distribution configuration (CONFIG_TRANSPARENT_HUGEPAGE=y, IOMMUFD_TEST for the ' +
      'selftest mock): IOMMU_IOAS_MAP_FILE, PASID-capable HWPTs and VFIO PASID attach, the checked IOVA allocator.',
    ioctls: [...BASE_IOCTLS, 'IOMMU_IOAS_MAP_FILE'],
    iovaAllocator: { holeCheck: 'checked-align', thp: true },
    pageTableLayout: 'largest-fit',
    userPagesOverflowCheck: true,
    hwptPagingFlags: PAGING_FLAGS_6_12 | HWPT_ALLOC_FLAGS.FAULT_ID_VALID | HWPT_ALLOC_FLAGS.PASID,
    hwptNestedFlags: HWPT_ALLOC_FLAGS.FAULT_ID_VALID | HWPT_ALLOC_FLAGS.PASID,
    vfioPtFlags: 'pasid',
    liveUpdate: null,
  },
};

/** The newest kernel modelled: what a trace without a `kernel` field runs on. */
export const DEFAULT_PROFILE: ProfileName = 'linux-6.16';

/** IOMMU_IOAS_MAP_FLAGS every profile accepts for MAP, MAP_FILE and COPY. */
export const MAP_FLAGS_ALL = IOAS_MAP_FLAGS.FIXED_IOVA | IOAS_MAP_FLAGS.WRITEABLE | IOAS_MAP_FLAGS.READABLE;

/** True when `name` is a profile. */
export function isProfileName(name: string): name is ProfileName {
  return Object.prototype.hasOwnProperty.call(PROFILES, name);
}

/**
 * The modelled kernel's whole state, as plain immutable data.
 *
 * Rules for everything in this file (the explorer fingerprints these values and structuredClone copies them):
 * - Plain data only: objects, arrays, numbers, strings, booleans, bigint, null. No Map/Set/class/function, no
 *   `undefined` values (absent fields are `null`).
 * - Never mutated after it is returned: every handler builds new objects and shares what it did not change.
 * - Canonical: arrays that are sets are kept sorted (by `id`, `pfn`, `index`, `iova`, `start`, `fd`, `device`),
 *   so two kernels that behave alike are equal data. The only orders that are history (and so are kept as the
 *   kernel keeps them) are `Ioas.domains` (io_pagetable::domains, compacted by swap-remove) and `Ioas.hwpts`
 *   (iommufd_ioas::hwpt_list, in creation order, which auto-domain selection walks).
 * - Nothing derived is stored, except counters the kernel itself keeps and the invariants cross-check:
 *   `IommufdObjectBase.users`, `IoptPages.npinned`, `Process.userLockedVm/mmLockedVm/mmPinnedVm`, `File.refs`,
 *   `Frame.pins`.
 *
 * Vocabulary (drivers/iommu/iommufd/pages.c): `last` is inclusive, `end` exclusive; `index` is a PAGE_SIZE index
 * into an iopt_pages or a memfd; `iova`, `length`, `start` are bytes (bigint, exact over u64).
 */
import type { U64 } from './uapi.ts';
import type { ProfileName } from './profiles.ts';

/** A physical frame number. Physical address = pfn * PAGE_SIZE. */
export type Pfn = number;

/** Who a frame belongs to. */
export type FrameOwner =
  /** Page `index` of memfd file `file`, still in its page cache. */
  | { kind: 'memfd'; file: number; index: number }
  /** Page `index` of process buffer `buffer`. */
  | { kind: 'buffer'; buffer: string; index: number }
  /**
   * A page that left its file (truncated) or whose file went away while pins still hold it: it stays allocated
   * until the last unpin (pin_user_pages()/memfd_pin_folios() hold a page reference).
   */
  | { kind: 'detached' }
  /** A page-table page of io page table (iommu_domain) `domain`. */
  | { kind: 'pagetable'; domain: number };

/** One entry of a page-table page: a pointer to the next level, or a leaf translation. */
export type PtEntry =
  | { index: number; kind: 'table'; pfn: Pfn }
  | { index: number; kind: 'leaf'; phys: U64; prot: number };

/** One physical frame. */
export interface Frame {
  /** `"<memfd or buffer name>:<page index>"` for data pages (kept across owner changes); `"pt:d<domain>:l<level>"` for tables. */
  label: string;
  owner: FrameOwner;
  /** Long-term pins (FOLL_LONGTERM page references) held on the page. */
  pins: number;
  /** Page-table frames: their non-empty entries, sorted by index. Data frames: null. */
  table: PtEntry[] | null;
}

/** A closed IOVA interval [start, last]. */
export interface IovaRange {
  start: U64;
  last: U64;
}

/** A reserved IOVA interval and who reserved it (iopt_reserved::owner). */
export interface Reserved extends IovaRange {
  /** `test` (IOMMU_TEST_OP_ADD_RESERVED, owner NULL), `dev:<name>` (a device's reserved region), `domain:<id>` (outside an aperture). */
  owner: string;
}

/**
 * An iommu_domain: an I/O page table, independent of the iommufd objects that use it (a HWPT_PAGING wraps one;
 * the next issue has restored domains outlive their HWPT). Immutable after allocation except its table frames.
 */
export interface Domain {
  id: number;
  type: 'paging' | 'nested';
  /** The IOMMU instance it was allocated for; attaching it to a device behind another instance is EINVAL. */
  iommu: string;
  /** The IOMMU driver (iommu_domain::owner): the selftest mock or a PCI IOMMU. */
  driver: 'mock' | 'pci';
  /** iommu_domain::pgsize_bitmap. */
  pgsizeBitmap: U64;
  /** iommu_domain::geometry aperture_start / aperture_end (inclusive). */
  aperture: IovaRange;
  /** Level shifts, leaf level first (each supported page size is a level; 9-bit strides above the largest). */
  levels: number[];
  /** Top table frame (paging); null for a nested domain, which translates through its parent's tables. */
  top: Pfn | null;
  /** Has dirty_ops (allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING). */
  dirtyTracking: boolean;
  /** Nested domains: the parent (stage-2) domain. */
  parent: number | null;
}

/** What the IOMMU hardware does for one device now: translate through a domain, block, or the host's default domain. */
export interface HwDevice {
  device: string;
  domain: number | 'blocked' | 'default';
  /** The iommufd (file id) that claimed DMA ownership (iommu_device_claim_dma_owner), or null. */
  dmaOwner: number | null;
}

/** A device of the config, as the kernel sees it. */
export interface DeviceInfo {
  name: string;
  /** The IOMMU instance behind it: devices with equal `iommu` can share domains. */
  iommu: string;
  /** The selftest mock IOMMU (drivers/iommu/iommufd/selftest.c) or a PCI IOMMU. */
  driver: 'mock' | 'pci';
  pgsizeBitmap: U64;
  aperture: IovaRange;
  /** IOMMU_CAP_DIRTY_TRACKING. */
  dirtyTracking: boolean;
}

/** An IOAS area (iopt_area): [iova, last] maps bytes [startByte, startByte + length) of iopt_pages `pages`. */
export interface Area {
  iova: U64;
  last: U64;
  pages: number;
  /** Byte offset into the iopt_pages (pages_node.start * PAGE_SIZE + page_offset). */
  startByte: U64;
  /** IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE (conv_iommu_prot()). */
  prot: number;
}

/** struct iopt_pages: the PFN provider shared by every area that maps it (COPY shares it). */
export interface IoptPages {
  id: number;
  /** kref: one per area using it. */
  refs: number;
  type: 'user' | 'file';
  /** USER: page-aligned user VA (iopt_pages::uptr). */
  uptr: U64;
  /** FILE: the file (file id) and page-aligned byte offset into it (iopt_pages::start). */
  file: number | null;
  start: U64;
  npages: number;
  writable: boolean;
  accountMode: 'none' | 'user' | 'mm';
  /** iopt_pages::npinned. */
  npinned: number;
  /** The PFN each pinned index holds (the kernel keeps it in its domains or pinned_pfns xarray), sorted by index. */
  pinned: { index: number; pfn: Pfn }[];
}

/** What every iommufd object has (struct iommufd_object). */
export interface ObjectBase {
  id: number;
  /** iommufd_object::users: 1 for the xarray plus one per holder. */
  users: number;
}

/** IOMMUFD_OBJ_IOAS: struct iommufd_ioas and its io_pagetable. */
export interface IoasObject extends ObjectBase {
  type: 'IOAS';
  /** Sorted by iova, pairwise disjoint. */
  areas: Area[];
  /** Sorted by start, pairwise disjoint. */
  allowed: IovaRange[];
  /** Sorted by (start, last, owner); may overlap each other. */
  reserved: Reserved[];
  disableLargePages: boolean;
  /** io_pagetable::domains in xarray order (compacted by swap-remove on removal). */
  domains: number[];
  /** HWPT_PAGING ids on iommufd_ioas::hwpt_list, creation order. */
  hwpts: number[];
}

/** IOMMUFD_OBJ_HWPT_PAGING: a paging domain mirroring an IOAS. */
export interface HwptPagingObject extends ObjectBase {
  type: 'HWPT_PAGING';
  ioas: number;
  domain: number;
  autoDomain: boolean;
  nestParent: boolean;
}

/** IOMMUFD_OBJ_HWPT_NESTED: a nested domain on a NEST_PARENT HWPT_PAGING. */
export interface HwptNestedObject extends ObjectBase {
  type: 'HWPT_NESTED';
  parent: number;
  domain: number;
}

/** IOMMUFD_OBJ_DEVICE: a bound device (struct iommufd_device). */
export interface DeviceObject extends ObjectBase {
  type: 'DEVICE';
  device: string;
  /** igroup->hwpt (singleton groups): the attached HWPT, or null. */
  hwpt: number | null;
}

/** Any object of the table. */
export type IommufdObject = IoasObject | HwptPagingObject | HwptNestedObject | DeviceObject;
/** The object types modelled. */
export type ObjectType = IommufdObject['type'];

/** struct iommufd_ctx. */
export interface IommufdCtx {
  accountMode: 'user' | 'mm';
  /** The object xarray, sorted by id (ids from 1, lowest free first: xa_alloc with XA_FLAGS_ALLOC1). */
  objects: IommufdObject[];
  /** Every iopt_pages of this context, sorted by id. */
  pages: IoptPages[];
}

/** What every open file has. */
export interface FileBase {
  id: number;
  /** f_count: fds plus kernel references. */
  refs: number;
}

/** An open /dev/iommu: one iommufd_ctx. */
export interface IommufdFile extends FileBase {
  kind: 'iommufd';
  ctx: IommufdCtx;
}

/** A memfd (shmem inode; the model keeps one file per inode). */
export interface MemfdFile extends FileBase {
  kind: 'memfd';
  name: string;
  /** i_size in bytes. */
  size: U64;
  /** F_SEAL_* bits. */
  seals: number;
  /** Page cache: index -> frame, sorted by index. A page gets a frame when first needed. */
  pages: { index: number; pfn: Pfn }[];
}

/** A VFIO device cdev file (struct vfio_device_file). */
export interface VfioFile extends FileBase {
  kind: 'vfio';
  device: string;
  /** VFIO_DEVICE_BIND_IOMMUFD done: the iommufd (file id, df->iommufd) and the DEVICE object id. */
  bound: { iommufd: number; devid: number } | null;
}

/** Any open file. */
export type File = IommufdFile | MemfdFile | VfioFile;

/** A config buffer mapped in the process: page `index` is backed unless it is a hole. */
export interface Buffer {
  name: string;
  /** Page-aligned start VA. */
  va: U64;
  pages: number;
  holes: number[];
  /** Frames of the pages touched so far (a page gets a frame when first pinned), sorted by index. */
  frames: { index: number; pfn: Pfn }[];
}

/** The one process of the world. */
export interface Process {
  /** CAP_IPC_LOCK (no pin accounting) and CAP_SYS_RESOURCE (IOMMU_OPTION RLIMIT_MODE). */
  capIpcLock: boolean;
  capSysResource: boolean;
  /** RLIMIT_MEMLOCK in pages, or null for unlimited. */
  rlimitMemlock: number | null;
  /** user_struct::locked_vm (IOPT_PAGES_ACCOUNT_USER). */
  userLockedVm: number;
  /** mm_struct::locked_vm (IOPT_PAGES_ACCOUNT_MM). */
  mmLockedVm: number;
  /** mm_struct::pinned_vm (every mode). */
  mmPinnedVm: number;
  /** The fd table, sorted by fd. */
  fds: { fd: number; file: number }[];
  buffers: Buffer[];
}

/** The whole kernel. */
export interface Kernel {
  profile: ProfileName;
  /** PAGE_SIZE in bytes. */
  pageSize: U64;
  /** The config's devices (immutable). */
  devices: DeviceInfo[];
  /** Physical memory, indexed by pfn; null is a free frame. No trailing nulls. */
  frames: (Frame | null)[];
  /** Live iommu_domains, sorted by id. */
  domains: Domain[];
  /** Per config device, sorted by name. */
  hw: HwDevice[];
  process: Process;
  /** Open files, sorted by id (ids from 1, lowest free first). */
  files: File[];
}

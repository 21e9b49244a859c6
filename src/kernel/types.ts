/**
 * The modelled kernel's whole state, as plain immutable data.
 * Kept in one file past 400 lines on purpose: it is the one place a reader sees the whole state the explorer
 * fingerprints, and the canonical-order rules below apply to every type in it.
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
 * - Live update: physical memory (`frames`) and the IOMMU hardware (`hw`) outlive a kexec; processes, files and
 *   iommufd objects do not. `kho` and `lu` are the KHO and LUO state of this kernel (outgoing) and of what the
 *   previous one handed over (incoming); `history` is not kernel state but what the live-update invariants must
 *   remember (the translations a preserved device had), kept here so that a state's identity is exact.
 *
 * Vocabulary (drivers/iommu/iommufd/pages.c): `last` is inclusive, `end` exclusive; `index` is a PAGE_SIZE index
 * into an iopt_pages or a memfd; `iova`, `length`, `start` are bytes (bigint, exact over u64).
 *
 * Over 400 lines, and not split: it is the one definition of the state every part of the engine reads, and a
 * reader checking the model against the kernel's structs finds them all here.
 */
import type { U64 } from './uapi.ts';

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
  | { kind: 'pagetable'; domain: number }
  /** Kernel data the kernel allocated at boot (memblock/early allocations of a kexec'ed kernel, labelled `kernel:<n>`). */
  | { kind: 'kernel' }
  /**
   * A frame the previous kernel preserved through KHO that this kernel has not restored yet: memblock-reserved at
   * boot (kexec_handover.c deserialize_bitmap / kho_preserved_memory_reserve), so no allocator hands it out, and
   * kept with its content until a kho_restore_folio() gives it to its new owner.
   */
  | { kind: 'incoming' };

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
  /**
   * A domain the IOMMU restored at boot from the previous kernel's preserved tables (iommu_domain_ser
   * restored_domain): its tables are the preserved frames, never changed by this kernel.
   */
  restored: boolean;
  /** Has dirty_ops (allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING). */
  dirtyTracking: boolean;
  /** Nested domains: the parent (stage-2) domain. */
  parent: number | null;
}

/**
 * The page table the IOMMU hardware walks for a device: its top table frame and its format (the level shifts, leaf
 * level first). It is hardware state (a context/STE entry pointing at physical memory), so it survives a kexec
 * whatever the software objects do, until a kernel reprograms the entry.
 */
export interface HwPageTable {
  top: Pfn;
  levels: number[];
}

/** What the IOMMU hardware does for one device now: translate through a domain, block, or the host's default domain. */
export interface HwDevice {
  device: string;
  /** The domain of this kernel it is attached to (`domains`), or blocked / the host's default (DMA API) domain. */
  domain: number | 'blocked' | 'default';
  /**
   * What the hardware walks: the attached paging domain's tables (a nested domain's parent), or null when DMA is
   * blocked or goes through the default domain (which maps nothing a device under VFIO uses).
   */
  pt: HwPageTable | null;
  /** The iommufd (file id) that claimed DMA ownership (iommu_device_claim_dma_owner), or null. */
  dmaOwner: number | null;
  /**
   * DMA ownership claimed by the live update: a device preserved by the previous kernel, restored at boot, until
   * the session holding its cdev finishes (SK-v1 cover: "DMA ownership is claimed"; binding another driver or
   * opening a new cdev for it fails EBUSY).
   */
  luClaimed: boolean;
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
  /**
   * The IOMMU must break a translation before making a new one of another size (SMMUv3 without BBM level 2, VT-d
   * legacy mode): a replace between domains whose leaf sizes differ leaves a window with no translation (G-THR 7 Oct,
   * SK-RPL). Checked by the dma-never-faults invariant, not by the kernel.
   */
  breakBeforeMake: boolean;
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
  /**
   * FILE: the file's F_SEAL_* bits when it was mapped (SK-v1 11/14 iopt_alloc_file_pages(): memfd_get_seals()), which
   * the iommufd live-update preserve checks; USER: 0.
   */
  seals: number;
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
  /**
   * io_pagetable::lu_map_immutable (SK-v1 11/14): set when the iommufd is preserved with a marked HWPT on this IOAS;
   * map, map-file, copy and unmap fail EBUSY until the iommufd is unpreserved.
   */
  luImmutable: boolean;
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
  /** Its IOAS; null for a HWPT that IOMMU_HWPT_LU_RESTORE made around a restored domain ("with no IOAS"). */
  ioas: number | null;
  domain: number;
  autoDomain: boolean;
  nestParent: boolean;
  /** IOMMU_HWPT_LU_SET_PRESERVE: the token it is marked with (hwpt->lu_token with lu_preserve set), or null. */
  luToken: U64 | null;
  /** Made by IOMMU_HWPT_LU_RESTORE around a restored domain (hwpt->lu_restored). */
  luRestored: boolean;
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

/** One HWPT the previous kernel preserved in an iommufd (struct iommufd_hwpt_lu). */
export interface IommufdHwptLu {
  token: U64;
  /** The domain the IOMMU restored from it at boot (domain_ser->restored_domain), or null when none was. */
  domain: number | null;
  reclaimed: boolean;
}

/** struct iommufd_ctx. */
export interface IommufdCtx {
  accountMode: 'user' | 'mm';
  /** ictx->lu: set on an iommufd retrieved from LUO (its preserved HWPTs); null on any other. */
  lu: IommufdHwptLu[] | null;
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
  /** shmem_freeze(): memfd_luo preserved it; a resizing ftruncate is EPERM until it is unpreserved. */
  frozen: boolean;
  /** Page cache: index -> frame, sorted by index. A page gets a frame when first needed. */
  pages: { index: number; pfn: Pfn }[];
}

/** A VFIO device cdev file (struct vfio_device_file). */
export interface VfioFile extends FileBase {
  kind: 'vfio';
  device: string;
  /** VFIO_DEVICE_BIND_IOMMUFD done: the iommufd (file id, df->iommufd) and the DEVICE object id. */
  bound: { iommufd: number; devid: number } | null;
  /**
   * A cdev retrieved from LUO: it binds only to the iommufd retrieved from the same session under this token
   * (SK-v1 14/14: binding to a new iommufd is EPERM); null for any other cdev.
   */
  lu: { session: string; iommufdToken: U64 | null } | null;
}

/** An open /dev/liveupdate (kernel/liveupdate/luo_core.c luo_fops). */
export interface LiveupdateFile extends FileBase {
  kind: 'liveupdate';
}

/** A LUO session file (luo_session.c luo_session_fops): outgoing (created) or incoming (retrieved). */
export interface SessionFile extends FileBase {
  kind: 'session';
  name: string;
  incoming: boolean;
}

/** Any open file. */
export type File = IommufdFile | MemfdFile | VfioFile | LiveupdateFile | SessionFile;

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

// ---------------------------------------------------------------------------------------------------------------
// Live update: KHO, LUO, and what the invariants must remember.

/** Kexec HandOver (kernel/liveupdate/kexec_handover.c): what this kernel preserves and what it was handed. */
export interface Kho {
  /** Outgoing: frames preserved for the next kernel (kho_preserve_folio / kho_preserve_pages), sorted. */
  preserved: Pfn[];
  /** Incoming: frames the previous kernel preserved that are reserved and not restored yet, sorted. */
  incoming: Pfn[];
  /**
   * How this kernel came up: `cold` (the trace's first kernel), `kexec` (a kexec with no KHO data for it: no KHO in
   * one of the kernels), `kho` (KHO FDT accepted: preserved memory reserved), `revival-disabled` (incompatible KHO
   * ABI: kho_populate() warns "disabling KHO revival", boots on, reserves nothing).
   */
  boot: 'cold' | 'kexec' | 'kho' | 'revival-disabled';
}

/** The serialized state of one preserved file, as its handler wrote it (the `data` u64 of struct luo_file_ser). */
export type LuoFileData =
  /** memfd_luo (struct memfd_luo_ser): size, seals (memfd-v2 only), and every page by index. */
  | { handler: 'memfd'; name: string; size: U64; seals: number; pages: { index: number; pfn: Pfn }[] }
  /**
   * iommufd (struct iommufd_lu): one entry per HWPT marked at preserve time. Outgoing: `domain` is the preserved
   * domain of this kernel and `tables` its table frames (what iommu_domain_preserve() preserved); incoming: the
   * domain the IOMMU restored from it, or null, and no tables.
   */
  | { handler: 'iommufd'; hwpts: { token: U64; domain: number | null; tables: Pfn[]; reclaimed: boolean }[] }
  /** VFIO cdev: the device, and the HWPT token and LUO iommufd token of its IOMMU state (null: unattached). */
  | { handler: 'vfio'; device: string; hwptToken: U64 | null; iommufdToken: U64 | null };

/** One file in a LUO session (struct luo_file). */
export interface LuoFile {
  token: U64;
  /** The struct file LUO holds a reference on: the preserved file (outgoing), the retrieved file (incoming), or null. */
  file: number | null;
  retrieved: boolean;
  data: LuoFileData;
}

/** A LUO session (struct luo_session). */
export interface LuoSession {
  name: string;
  /** Its open session file: from CREATE (outgoing) or RETRIEVE (incoming); null before retrieval or once released. */
  file: number | null;
  /** Incoming sessions: retrieved (luo_session::retrieved); a session is retrieved once. */
  retrieved: boolean;
  /** In preservation order (FIFO): the freeze order. */
  files: LuoFile[];
}

/** The Live Update Orchestrator (kernel/liveupdate/luo_core.c, luo_session.c, luo_file.c). */
export interface LiveUpdate {
  /** The open /dev/liveupdate file (luo_device_state::in_use), or null. */
  device: number | null;
  /**
   * luo_session_deserialize() failed at boot: a preserved file's compatible has no handler in this kernel
   * (luo_file_deserialize: ENOENT). Sticky: every open of /dev/liveupdate is EIO; the incoming state is leaked.
   */
  broken: boolean;
  /** liveupdate-number: live updates so far. */
  number: number;
  /** Sessions for the next kernel, in creation order (the list order luo_session_serialize() walks). */
  outgoing: LuoSession[];
  /** Sessions from the previous kernel, in their serialized order. */
  incoming: LuoSession[];
}

/**
 * What the live-update invariants must remember, kept in the state so that the explorer's state identity is exact.
 * Not kernel state: no handler reads it. Translations are merged runs (inspect.ts mergeTranslations).
 */
export interface LuHistory {
  /**
   * Domains preserved for a live update, from the iommufd preserve until their session finishes or is abandoned:
   * the translations at preserve time, and the domain holding them now (this kernel's id; null when none does).
   * Sorted by (session, hwptToken).
   */
  domains: { session: string; hwptToken: U64; domain: number | null; translations: LuTranslation[] }[];
  /**
   * Devices preserved with IOMMU state: the translations they had at preserve time, until their session finishes.
   * Sorted by device.
   */
  devices: { session: string; device: string; translations: LuTranslation[] }[];
}

/** A run of translations: [iova, iova + size) -> [phys, phys + size) with prot. */
export interface LuTranslation {
  iova: U64;
  size: U64;
  phys: U64;
  prot: number;
}

/** The whole kernel. */
export interface Kernel {
  /** The kernel name: a profile and its patches (profiles.ts parseKernelName). */
  profile: string;
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
  kho: Kho;
  lu: LiveUpdate;
  /** History for the live-update invariants (not kernel state). */
  history: LuHistory;
}

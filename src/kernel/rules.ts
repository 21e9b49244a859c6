/**
 * Every outcome a handler can return, as data: each errno path and each success, named `<kernel function>:<check>`
 * after the kernel function and check it mirrors. Handlers name the rule they end on (outcome.ts `fail()`/`done()`),
 * and the errno comes from this table, so a rule and its errno cannot disagree. `not-modelled` is the one outcome
 * that is not the kernel's: the model refuses a call it does not implement.
 *
 * This file is long because it is one table; splitting it by ioctl would scatter the rules that several ioctls share
 * (iopt_check_iova, the pinning paths).
 */
import type { Errno } from './uapi.ts';
import type { Rule } from './index.ts';

interface RuleSpec {
  /** The syscall(s) that can end on this rule. */
  op: string;
  /** An errno, `ok`, `not-modelled`, `PANIC` (a KEXEC whose new kernel stops) or `FAULT` (a DMA that faults). */
  result: Errno | 'ok' | 'not-modelled' | 'PANIC' | 'FAULT';
  kernelFunction: string;
  description: string;
}

const MAPS = 'IOMMU_IOAS_MAP, IOMMU_IOAS_MAP_FILE, IOMMU_IOAS_COPY';
const FILLS = `${MAPS}, IOMMU_HWPT_ALLOC, VFIO_DEVICE_ATTACH_IOMMUFD_PT`;
const ADD_DOMAIN = 'IOMMU_HWPT_ALLOC, VFIO_DEVICE_ATTACH_IOMMUFD_PT';
const LU = 'LIVEUPDATE_SESSION_PRESERVE_FD';
const IOAS_OPS =
  'IOMMU_IOAS_ALLOW_IOVAS, IOMMU_IOAS_COPY, IOMMU_IOAS_IOVA_RANGES, IOMMU_IOAS_MAP, IOMMU_IOAS_MAP_FILE, ' +
  'IOMMU_IOAS_UNMAP, IOMMU_OPTION, IOMMU_TEST_OP_ADD_RESERVED';

const TABLE = {
  // ---- dispatch, fds ---------------------------------------------------------------------------------------
  'fdget:bad-fd': { op: '*', result: 'EBADF', kernelFunction: 'fdget', description: 'The fd is not open in the process.' },
  'vfs_ioctl:no-ioctl': { op: 'any ioctl on a memfd', result: 'ENOTTY', kernelFunction: 'vfs_ioctl', description: 'shmem files have no unlocked_ioctl.' },
  'iommufd_fops_ioctl:unknown': {
    op: 'an ioctl the profile lacks, or a VFIO ioctl, on an iommufd', result: 'ENOTTY', kernelFunction: 'iommufd_fops_ioctl',
    description: 'The nr is outside iommufd_ioctl_ops[] (or this kernel has no such ioctl): iommufd_vfio_ioctl() returns -ENOIOCTLCMD, which the VFS turns into ENOTTY.',
  },
  'vfio_device_fops_unl_ioctl:not-bound': {
    op: 'any ioctl but BIND on an unbound VFIO cdev', result: 'EINVAL', kernelFunction: 'vfio_device_fops_unl_ioctl',
    description: 'Device access is blocked until VFIO_DEVICE_BIND_IOMMUFD succeeds (df->access_granted).',
  },
  'vfio_device_fops_unl_ioctl:unknown': {
    op: 'an iommufd ioctl on a bound VFIO cdev', result: 'ENOTTY', kernelFunction: 'vfio_pci_core_ioctl',
    description: 'Not a VFIO device ioctl: the driver ioctl returns -ENOTTY.',
  },
  'not-modelled': { op: '*', result: 'not-modelled', kernelFunction: '-', description: 'The model does not implement this call or this variant of it.' },

  // ---- main.c ----------------------------------------------------------------------------------------------
  'iommufd_object_remove:not-found': { op: 'IOMMU_DESTROY', result: 'ENOENT', kernelFunction: 'iommufd_object_remove', description: 'No object with this id (0 is never one).' },
  'iommufd_object_remove:busy': { op: 'IOMMU_DESTROY', result: 'EBUSY', kernelFunction: 'iommufd_object_remove', description: 'refcount_dec_if_one(users) failed: another object or a driver holds it.' },
  'iommufd_destroy:ok': { op: 'IOMMU_DESTROY', result: 'ok', kernelFunction: 'iommufd_destroy', description: 'The object is removed and its destroy op runs.' },
  'iommufd_get_ioas:not-found': { op: IOAS_OPS, result: 'ENOENT', kernelFunction: 'iommufd_get_ioas', description: 'The id is not an IOAS (iommufd_get_object(IOMMUFD_OBJ_IOAS)).' },
  'iommufd_option:reserved': { op: 'IOMMU_OPTION', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_option', description: '__reserved is not zero.' },
  'iommufd_option:unknown-option': { op: 'IOMMU_OPTION', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_option', description: 'Unknown option_id.' },
  'close_fd:ok': { op: 'CLOSE', result: 'ok', kernelFunction: 'close_fd', description: 'The fd is closed; the file is released with its last reference.' },

  // ---- ioas.c ----------------------------------------------------------------------------------------------
  'iommufd_ioas_alloc_ioctl:flags': { op: 'IOMMU_IOAS_ALLOC', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_ioas_alloc_ioctl', description: 'flags is not zero.' },
  'iommufd_ioas_alloc_ioctl:ok': { op: 'IOMMU_IOAS_ALLOC', result: 'ok', kernelFunction: 'iommufd_ioas_alloc_ioctl', description: 'A new empty IOAS; out_ioas_id is the lowest free id.' },
  'iommufd_ioas_iova_ranges:reserved': { op: 'IOMMU_IOAS_IOVA_RANGES', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_ioas_iova_ranges', description: '__reserved is not zero.' },
  'iommufd_ioas_iova_ranges:too-small': {
    op: 'IOMMU_IOAS_IOVA_RANGES', result: 'EMSGSIZE', kernelFunction: 'iommufd_ioas_iova_ranges',
    description: 'More ranges than num_iovas: the ranges that fit are written, num_iovas is set to the total.',
  },
  'iommufd_ioas_iova_ranges:ok': { op: 'IOMMU_IOAS_IOVA_RANGES', result: 'ok', kernelFunction: 'iommufd_ioas_iova_ranges', description: 'The holes of the reserved ranges over [0, ULONG_MAX] and the IOAS alignment.' },
  'iommufd_ioas_allow_iovas:reserved': { op: 'IOMMU_IOAS_ALLOW_IOVAS', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_ioas_allow_iovas', description: '__reserved is not zero.' },
  'iommufd_ioas_load_iovas:start-not-below-last': { op: 'IOMMU_IOAS_ALLOW_IOVAS', result: 'EINVAL', kernelFunction: 'iommufd_ioas_load_iovas', description: 'A range has start >= last.' },
  'iommufd_ioas_load_iovas:overlap': { op: 'IOMMU_IOAS_ALLOW_IOVAS', result: 'EINVAL', kernelFunction: 'iommufd_ioas_load_iovas', description: 'A range intersects an earlier range of the same call.' },
  'iommufd_ioas_allow_iovas:ok': { op: 'IOMMU_IOAS_ALLOW_IOVAS', result: 'ok', kernelFunction: 'iommufd_ioas_allow_iovas', description: 'The allowed list is replaced atomically.' },
  'iommufd_ioas_map:flags': { op: 'IOMMU_IOAS_MAP', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_ioas_map', description: 'Unknown flag or __reserved not zero.' },
  'iommufd_ioas_map:overflow': { op: 'IOMMU_IOAS_MAP', result: 'EOVERFLOW', kernelFunction: 'iommufd_ioas_map', description: 'iova or length >= ULONG_MAX.' },
  'iommufd_ioas_map:no-access': { op: 'IOMMU_IOAS_MAP', result: 'EINVAL', kernelFunction: 'iommufd_ioas_map', description: 'Neither READABLE nor WRITEABLE.' },
  'iommufd_ioas_map:ok': { op: 'IOMMU_IOAS_MAP', result: 'ok', kernelFunction: 'iommufd_ioas_map', description: 'The area is mapped (into every domain of the IOAS); the iova is written back.' },
  'iommufd_ioas_map_file:flags': { op: 'IOMMU_IOAS_MAP_FILE', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_ioas_map_file', description: 'Unknown flag.' },
  'iommufd_ioas_map_file:overflow': { op: 'IOMMU_IOAS_MAP_FILE', result: 'EOVERFLOW', kernelFunction: 'iommufd_ioas_map_file', description: 'iova or length >= ULONG_MAX.' },
  'iommufd_ioas_map_file:no-access': { op: 'IOMMU_IOAS_MAP_FILE', result: 'EINVAL', kernelFunction: 'iommufd_ioas_map_file', description: 'Neither READABLE nor WRITEABLE.' },
  'iommufd_ioas_map_file:bad-fd': { op: 'IOMMU_IOAS_MAP_FILE', result: 'EBADF', kernelFunction: 'iommufd_ioas_map_file', description: 'fget(fd) failed.' },
  'iommufd_ioas_map_file:ok': { op: 'IOMMU_IOAS_MAP_FILE', result: 'ok', kernelFunction: 'iommufd_ioas_map_file', description: 'The file range is mapped; the iova is written back.' },
  'iommufd_ioas_copy:flags': { op: 'IOMMU_IOAS_COPY', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_ioas_copy', description: 'Unknown flag.' },
  'iommufd_ioas_copy:overflow': { op: 'IOMMU_IOAS_COPY', result: 'EOVERFLOW', kernelFunction: 'iommufd_ioas_copy', description: 'length, src_iova or dst_iova >= ULONG_MAX.' },
  'iommufd_ioas_copy:no-access': { op: 'IOMMU_IOAS_COPY', result: 'EINVAL', kernelFunction: 'iommufd_ioas_copy', description: 'Neither READABLE nor WRITEABLE.' },
  'iommufd_ioas_copy:ok': { op: 'IOMMU_IOAS_COPY', result: 'ok', kernelFunction: 'iommufd_ioas_copy', description: 'The source pages are mapped again at dst (same iopt_pages: pinned and charged once).' },
  'iommufd_ioas_unmap:overflow': { op: 'IOMMU_IOAS_UNMAP', result: 'EOVERFLOW', kernelFunction: 'iommufd_ioas_unmap', description: 'iova or length >= ULONG_MAX (not the unmap-all form).' },
  'iommufd_ioas_unmap:nothing-unmapped': { op: 'IOMMU_IOAS_UNMAP', result: 'ENOENT', kernelFunction: 'iommufd_ioas_unmap', description: 'No area lies in the range.' },
  'iommufd_ioas_unmap:ok': { op: 'IOMMU_IOAS_UNMAP', result: 'ok', kernelFunction: 'iommufd_ioas_unmap', description: 'Every area inside the range is unmapped; length is written back.' },
  'iommufd_ioas_unmap:all-ok': { op: 'IOMMU_IOAS_UNMAP', result: 'ok', kernelFunction: 'iopt_unmap_all', description: 'iova 0, length U64_MAX: every area is unmapped (an empty IOAS too).' },
  'iommufd_option_rlimit_mode:object-id': { op: 'IOMMU_OPTION', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_option_rlimit_mode', description: 'object_id is not zero.' },
  'iommufd_option_rlimit_mode:get-ok': { op: 'IOMMU_OPTION', result: 'ok', kernelFunction: 'iommufd_option_rlimit_mode', description: 'val64 = 1 when pins are charged to the mm.' },
  'iommufd_option_rlimit_mode:no-cap': { op: 'IOMMU_OPTION', result: 'EPERM', kernelFunction: 'iommufd_option_rlimit_mode', description: 'SET without CAP_SYS_RESOURCE.' },
  'iommufd_option_rlimit_mode:objects-exist': { op: 'IOMMU_OPTION', result: 'EBUSY', kernelFunction: 'iommufd_option_rlimit_mode', description: 'SET while the context has objects.' },
  'iommufd_option_rlimit_mode:bad-value': { op: 'IOMMU_OPTION', result: 'EINVAL', kernelFunction: 'iommufd_option_rlimit_mode', description: 'SET of a value other than 0 or 1.' },
  'iommufd_option_rlimit_mode:set-ok': { op: 'IOMMU_OPTION', result: 'ok', kernelFunction: 'iommufd_option_rlimit_mode', description: 'The context charges to the user (0) or the mm (1) from now on.' },
  'iommufd_option_rlimit_mode:bad-op': { op: 'IOMMU_OPTION', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_option_rlimit_mode', description: 'op is neither SET nor GET.' },
  'iommufd_ioas_option_huge_pages:get-ok': { op: 'IOMMU_OPTION', result: 'ok', kernelFunction: 'iommufd_ioas_option_huge_pages', description: 'val64 = 1 unless large pages are disabled.' },
  'iommufd_ioas_option_huge_pages:bad-value': { op: 'IOMMU_OPTION', result: 'EINVAL', kernelFunction: 'iommufd_ioas_option_huge_pages', description: 'SET of a value other than 0 or 1.' },
  'iommufd_ioas_option_huge_pages:bad-op': { op: 'IOMMU_OPTION', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_ioas_option_huge_pages', description: 'op is neither SET nor GET.' },

  // ---- io_pagetable.c --------------------------------------------------------------------------------------
  'iopt_alloc_area_pages:length': { op: MAPS, result: 'EINVAL', kernelFunction: 'iopt_alloc_area_pages', description: 'length is 0 or not a multiple of the IOAS alignment.' },
  'iopt_alloc_iova:length': { op: MAPS, result: 'EOVERFLOW', kernelFunction: 'iopt_alloc_iova', description: 'length >= ULONG_MAX / 2 (roundup_pow_of_two would overflow).' },
  'iopt_alloc_iova:alignment': { op: MAPS, result: 'EINVAL', kernelFunction: 'iopt_alloc_iova', description: 'The automatic alignment is below the IOAS alignment.' },
  'iopt_alloc_iova:no-space': { op: MAPS, result: 'ENOSPC', kernelFunction: 'iopt_alloc_iova', description: 'No hole in the allowed ranges fits.' },
  'iopt_alloc_area_pages:test-check-iova': {
    op: MAPS, result: 'EINVAL', kernelFunction: 'iopt_alloc_area_pages',
    description: 'CONFIG_IOMMUFD_TEST re-checks the allocated IOVA with iopt_check_iova() (WARN): the wrapping ALIGN() of the 6.12 allocator can pick a used IOVA.',
  },
  'iopt_check_iova:misaligned': { op: MAPS, result: 'EINVAL', kernelFunction: 'iopt_check_iova', description: 'The fixed iova is not aligned to the IOAS alignment.' },
  'iopt_check_iova:overflow': { op: MAPS, result: 'EOVERFLOW', kernelFunction: 'iopt_check_iova', description: 'iova + length - 1 overflows.' },
  'iopt_check_iova:reserved': { op: MAPS, result: 'EINVAL', kernelFunction: 'iopt_check_iova', description: 'The range intersects a reserved range (outside an aperture included).' },
  'iopt_check_iova:area-overlap': { op: MAPS, result: 'EEXIST', kernelFunction: 'iopt_check_iova', description: 'The range intersects an existing area.' },
  'iopt_insert_area:not-writable': { op: 'IOMMU_IOAS_COPY', result: 'EPERM', kernelFunction: 'iopt_insert_area', description: 'WRITEABLE requested on pages that were mapped read-only.' },
  'iopt_insert_area:page-offset': { op: MAPS, result: 'EINVAL', kernelFunction: 'iopt_insert_area', description: 'The offset inside the first page is not aligned to the IOAS alignment.' },
  'iopt_get_pages:length': { op: 'IOMMU_IOAS_COPY', result: 'EINVAL', kernelFunction: 'iopt_get_pages', description: 'length is 0.' },
  'iopt_get_pages:overflow': { op: 'IOMMU_IOAS_COPY', result: 'EOVERFLOW', kernelFunction: 'iopt_get_pages', description: 'src_iova + length - 1 overflows.' },
  'iopt_get_pages:not-contiguous': { op: 'IOMMU_IOAS_COPY', result: 'ENOENT', kernelFunction: 'iopt_get_pages', description: 'The source range is not covered by contiguous areas.' },
  'iopt_unmap_iova:length': { op: 'IOMMU_IOAS_UNMAP', result: 'EINVAL', kernelFunction: 'iopt_unmap_iova', description: 'length is 0.' },
  'iopt_unmap_iova:overflow': { op: 'IOMMU_IOAS_UNMAP', result: 'EOVERFLOW', kernelFunction: 'iopt_unmap_iova', description: 'iova + length - 1 overflows.' },
  'iopt_unmap_iova_range:partial-area': {
    op: 'IOMMU_IOAS_UNMAP', result: 'ENOENT', kernelFunction: 'iopt_unmap_iova_range',
    description: 'An area sticks out of the range (no splitting). Areas inside the range that come before it in IOVA order are already unmapped (no rollback).',
  },
  'iopt_set_allow_iova:reserved-intersects': { op: 'IOMMU_IOAS_ALLOW_IOVAS', result: 'EADDRINUSE', kernelFunction: 'iopt_set_allow_iova', description: 'A new allowed range intersects a reserved range; the old list stays.' },
  'iopt_reserve_iova:in-use': {
    op: `IOMMU_TEST_OP_ADD_RESERVED, ${ADD_DOMAIN}`, result: 'EADDRINUSE', kernelFunction: 'iopt_reserve_iova',
    description: 'The range to reserve (a test range, or the outside of a new domain aperture) intersects an area or an allowed range.',
  },
  'iopt_table_add_domain:alignment': { op: ADD_DOMAIN, result: 'EINVAL', kernelFunction: 'iopt_table_add_domain', description: "The domain's smallest page is larger than PAGE_SIZE." },
  'iopt_check_iova_alignment:misaligned-area': {
    op: `IOMMU_OPTION, ${ADD_DOMAIN}`, result: 'EADDRINUSE', kernelFunction: 'iopt_check_iova_alignment',
    description: 'Raising the IOAS alignment (a new domain, or HUGE_PAGES=0) would leave an area misaligned.',
  },
  'iopt_disable_large_pages:domains-and-areas': { op: 'IOMMU_OPTION', result: 'EINVAL', kernelFunction: 'iopt_disable_large_pages', description: 'HUGE_PAGES=0 while the IOAS has both domains and areas.' },
  'iopt_disable_large_pages:ok': { op: 'IOMMU_OPTION', result: 'ok', kernelFunction: 'iopt_disable_large_pages', description: 'Large pages off: the IOAS alignment is at least PAGE_SIZE (also when already off).' },
  'iopt_enable_large_pages:ok': { op: 'IOMMU_OPTION', result: 'ok', kernelFunction: 'iopt_enable_large_pages', description: 'Large pages on; the alignment is recalculated.' },

  // ---- pages.c / mm --------------------------------------------------------------------------------------
  'iopt_alloc_pages:length': { op: 'IOMMU_IOAS_MAP, IOMMU_IOAS_MAP_FILE', result: 'EINVAL', kernelFunction: 'iopt_alloc_pages', description: 'length is 0 or above SIZE_MAX - PAGE_SIZE.' },
  'iopt_alloc_user_pages:overflow': { op: 'IOMMU_IOAS_MAP', result: 'EOVERFLOW', kernelFunction: 'iopt_alloc_user_pages', description: 'user_va + length overflows (v6.13 and later).' },
  'iopt_alloc_file_pages:overflow': { op: 'IOMMU_IOAS_MAP_FILE', result: 'EOVERFLOW', kernelFunction: 'iopt_alloc_file_pages', description: 'start + length - 1 overflows.' },
  'pfn_reader_user_pin:fault': { op: FILLS, result: 'EFAULT', kernelFunction: 'pfn_reader_user_pin', description: 'A user page to pin is not mapped in the process (pin_user_pages_fast).' },
  'memfd_pin_folios:not-memfd': { op: FILLS, result: 'EINVAL', kernelFunction: 'memfd_pin_folios', description: 'The mapped file is not a shmem/hugetlb file.' },
  'memfd_pin_folios:beyond-eof': { op: FILLS, result: 'EINVAL', kernelFunction: 'memfd_pin_folios', description: 'A page to pin ends at or past i_size.' },
  'incr_user_locked_vm:rlimit': { op: FILLS, result: 'ENOMEM', kernelFunction: 'incr_user_locked_vm', description: 'user->locked_vm would exceed RLIMIT_MEMLOCK; the pins just taken are undone.' },
  'update_mm_locked_vm:rlimit': { op: FILLS, result: 'ENOMEM', kernelFunction: '__account_locked_vm', description: 'mm->locked_vm would exceed RLIMIT_MEMLOCK (RLIMIT_MODE=1); the pins just taken are undone.' },

  // ---- hw_pagetable.c ------------------------------------------------------------------------------------
  'iommufd_hwpt_alloc:reserved': { op: 'IOMMU_HWPT_ALLOC', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_hwpt_alloc', description: '__reserved is not zero.' },
  'iommufd_hwpt_alloc:data-len': { op: 'IOMMU_HWPT_ALLOC', result: 'EINVAL', kernelFunction: 'iommufd_hwpt_alloc', description: 'data_len is set with DATA_NONE, or missing with a data type.' },
  'iommufd_get_device:not-found': { op: 'IOMMU_HWPT_ALLOC', result: 'ENOENT', kernelFunction: 'iommufd_get_device', description: 'dev_id is not a DEVICE.' },
  'iommufd_hwpt_alloc:pt-not-found': { op: 'IOMMU_HWPT_ALLOC', result: 'EINVAL', kernelFunction: 'iommufd_hwpt_alloc', description: 'pt_id names no object (EINVAL, not ENOENT).' },
  'iommufd_hwpt_alloc:pt-type': { op: 'IOMMU_HWPT_ALLOC', result: 'EINVAL', kernelFunction: 'iommufd_hwpt_alloc', description: 'pt_id is neither an IOAS, a HWPT_PAGING nor a vIOMMU.' },
  'iommufd_hwpt_paging_alloc:flags': { op: ADD_DOMAIN, result: 'EOPNOTSUPP', kernelFunction: 'iommufd_hwpt_paging_alloc', description: 'A flag outside valid_flags.' },
  'iommufd_hwpt_paging_alloc:no-dirty-cap': { op: 'IOMMU_HWPT_ALLOC', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_hwpt_paging_alloc', description: 'DIRTY_TRACKING for a device without IOMMU_CAP_DIRTY_TRACKING.' },
  'domain_alloc_paging_flags:user-data': { op: 'IOMMU_HWPT_ALLOC', result: 'EOPNOTSUPP', kernelFunction: 'domain_alloc_paging_flags', description: 'Driver data for a paging domain (mock and VT-d refuse it).' },
  'iommufd_hwpt_nested_alloc:flags-or-data': {
    op: 'IOMMU_HWPT_ALLOC', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_hwpt_nested_alloc',
    description: 'A nested HWPT with a flag other than FAULT_ID_VALID (and PASID where defined), or without driver data.',
  },
  'iommufd_hwpt_nested_alloc:parent': { op: 'IOMMU_HWPT_ALLOC', result: 'EINVAL', kernelFunction: 'iommufd_hwpt_nested_alloc', description: 'The parent is an auto domain, not NEST_PARENT, or of another IOMMU driver.' },
  'mock_domain_alloc_nested:data-type': { op: 'IOMMU_HWPT_ALLOC', result: 'EOPNOTSUPP', kernelFunction: 'mock_domain_alloc_nested', description: 'The selftest driver takes IOMMU_HWPT_DATA_SELFTEST only.' },
  'iommu_copy_struct_from_user:short': { op: 'IOMMU_HWPT_ALLOC', result: 'EINVAL', kernelFunction: 'iommu_copy_struct_from_user', description: 'data_len is shorter than the driver struct (struct iommu_hwpt_selftest: 4 bytes).' },
  'iommufd_get_fault:not-found': { op: 'IOMMU_HWPT_ALLOC', result: 'ENOENT', kernelFunction: 'iommufd_get_fault', description: 'FAULT_ID_VALID and fault_id is not a FAULT object (no FAULT object exists in this model).' },
  'iommufd_hwpt_alloc:ok-paging': { op: 'IOMMU_HWPT_ALLOC', result: 'ok', kernelFunction: 'iommufd_hwpt_alloc', description: 'A HWPT_PAGING filled with every area of the IOAS.' },
  'iommufd_hwpt_alloc:ok-nested': { op: 'IOMMU_HWPT_ALLOC', result: 'ok', kernelFunction: 'iommufd_hwpt_alloc', description: 'A HWPT_NESTED on a NEST_PARENT HWPT_PAGING.' },

  // ---- device.c, vfio --------------------------------------------------------------------------------------
  'vfio_df_ioctl_bind_iommufd:args': { op: 'VFIO_DEVICE_BIND_IOMMUFD', result: 'EINVAL', kernelFunction: 'vfio_df_ioctl_bind_iommufd', description: 'flags is not zero or iommufd is negative.' },
  'vfio_df_ioctl_bind_iommufd:bound': { op: 'VFIO_DEVICE_BIND_IOMMUFD', result: 'EINVAL', kernelFunction: 'vfio_df_ioctl_bind_iommufd', description: 'This cdev is already bound.' },
  'iommufd_ctx_from_fd:bad-fd': { op: 'VFIO_DEVICE_BIND_IOMMUFD', result: 'EBADF', kernelFunction: 'iommufd_ctx_from_fd', description: 'The iommufd argument is not an open fd.' },
  'iommufd_ctx_from_fd:not-iommufd': { op: 'VFIO_DEVICE_BIND_IOMMUFD', result: 'EBADFD', kernelFunction: 'iommufd_ctx_from_fd', description: 'The iommufd argument is another kind of file.' },
  'vfio_df_ioctl_bind_iommufd:ok': { op: 'VFIO_DEVICE_BIND_IOMMUFD', result: 'ok', kernelFunction: 'iommufd_device_bind', description: 'A DEVICE object; DMA ownership claimed (the device is blocked); out_devid.' },
  'vfio_df_ioctl_attach_pt:flags': { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', result: 'EINVAL', kernelFunction: 'vfio_df_ioctl_attach_pt', description: 'An undefined flag (any flag before VFIO_DEVICE_ATTACH_PASID existed).' },
  'iommufd_device_change_pt:not-found': { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', result: 'ENOENT', kernelFunction: 'iommufd_device_change_pt', description: 'pt_id names no object.' },
  'iommufd_device_change_pt:type': { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', result: 'EINVAL', kernelFunction: 'iommufd_device_change_pt', description: 'pt_id is neither an IOAS nor a HWPT.' },
  'iommufd_hw_pagetable_attach:incompatible': {
    op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', result: 'EINVAL', kernelFunction: 'iommu_attach_group',
    description: "The driver refuses the domain: another IOMMU's domain, or a dirty-tracking domain for a device without dirty tracking.",
  },
  'iommufd_device_do_replace:incompatible': { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', result: 'EINVAL', kernelFunction: 'iommu_replace_group_handle', description: 'Replace onto a domain the driver refuses (as for attach).' },
  'lu_replace_check:translations': { op: ADD_DOMAIN, result: 'EINVAL', kernelFunction: 'iommufd_device_change_pt', description: 'Patch lu-replace-check: the new domain does not translate as the restored domain the device is leaving (IOVA, frame, prot).' },
  'lu_replace_check:leaf-sizes': { op: ADD_DOMAIN, result: 'EINVAL', kernelFunction: 'iommufd_device_change_pt', description: 'Patch lu-replace-check: on break-before-make hardware, the new domain translates alike but with other leaf sizes.' },
  'iommufd_device_do_replace:lu-held': { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', result: 'EBUSY', kernelFunction: 'iommufd_device_do_replace', description: 'Patch lu-hold-attachment (the cdev is preserved, before the kexec) or lu-hold-until-finish (replaced onto its rebuilt HWPT, before FINISH): the device stays where it is.' },
  'liveupdate_reboot:lu-unfinished': { op: 'KEXEC', result: 'EBUSY', kernelFunction: 'liveupdate_reboot', description: 'Patch lu-reboot-after-finish: a device restored by the previous live update is still claimed (its session is not finished).' },
  'iommufd_device_detach:lu-held': { op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', result: 'EBUSY', kernelFunction: 'iommufd_device_detach', description: 'Patch lu-hold-attachment (from the cdev preserve to the kexec) or lu-hold-until-finish (from the replace to FINISH): the device is in a live update.' },
  'iommufd_device_attach:ok-hwpt': { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', result: 'ok', kernelFunction: 'iommufd_device_attach', description: 'Attached to the given HWPT.' },
  'iommufd_device_attach:ok-auto-reuse': { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', result: 'ok', kernelFunction: 'iommufd_device_auto_get_domain', description: 'Attached to an existing compatible auto HWPT of the IOAS.' },
  'iommufd_device_attach:ok-auto-new': { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', result: 'ok', kernelFunction: 'iommufd_device_auto_get_domain', description: 'A new auto HWPT was created for the IOAS and attached.' },
  'iommufd_device_replace:ok-hwpt': { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', result: 'ok', kernelFunction: 'iommufd_device_replace', description: 'A second attach: replaced onto the given HWPT; the old auto HWPT goes with its last device.' },
  'iommufd_device_replace:ok-same': { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', result: 'ok', kernelFunction: 'iommufd_device_do_replace', description: 'Replace onto the HWPT already attached: nothing changes.' },
  'iommufd_device_replace:ok-auto-reuse': { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', result: 'ok', kernelFunction: 'iommufd_device_auto_get_domain', description: 'Replaced onto an existing auto HWPT of the IOAS.' },
  'iommufd_device_replace:ok-auto-new': { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', result: 'ok', kernelFunction: 'iommufd_device_auto_get_domain', description: 'Replaced onto a new auto HWPT of the IOAS.' },
  'vfio_df_ioctl_detach_pt:flags': { op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', result: 'EINVAL', kernelFunction: 'vfio_df_ioctl_detach_pt', description: 'An undefined flag.' },
  'vfio_iommufd_physical_detach_ioas:not-attached': { op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', result: 'ok', kernelFunction: 'vfio_iommufd_physical_detach_ioas', description: 'Not attached: nothing to do, success.' },
  'iommufd_device_detach:ok': { op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', result: 'ok', kernelFunction: 'iommufd_device_detach', description: 'Detached: the device is blocked; an auto HWPT goes with its last device.' },

  // ---- selftest.c ------------------------------------------------------------------------------------------
  'iommufd_test_add_reserved:ok': { op: 'IOMMU_TEST_OP_ADD_RESERVED', result: 'ok', kernelFunction: 'iommufd_test_add_reserved', description: 'A reserved range owned by the test (kept until the IOAS is destroyed).' },

  // ---- fs / mm (memfd) ---------------------------------------------------------------------------------------
  'do_sys_ftruncate:negative': { op: 'FTRUNCATE', result: 'EINVAL', kernelFunction: 'do_sys_ftruncate', description: 'length is negative as a loff_t.' },
  'do_sys_ftruncate:not-regular': { op: 'FTRUNCATE', result: 'EINVAL', kernelFunction: 'do_sys_ftruncate', description: 'The fd is not a regular file (an iommufd or a VFIO cdev).' },
  'shmem_setattr:sealed': { op: 'FTRUNCATE', result: 'EPERM', kernelFunction: 'shmem_setattr', description: 'F_SEAL_SHRINK or F_SEAL_GROW forbids this size change.' },
  'shmem_setattr:ok': { op: 'FTRUNCATE', result: 'ok', kernelFunction: 'shmem_setattr', description: 'The size changes; pages past it leave the page cache (pinned ones live on, detached).' },
  'memfd_fcntl:arg': { op: 'F_ADD_SEALS', result: 'EINVAL', kernelFunction: 'memfd_fcntl', description: 'seals above UINT_MAX.' },
  'memfd_add_seals:unknown-seal': { op: 'F_ADD_SEALS', result: 'EINVAL', kernelFunction: 'memfd_add_seals', description: 'A bit outside F_ALL_SEALS.' },
  'memfd_add_seals:not-memfd': { op: 'F_ADD_SEALS', result: 'EINVAL', kernelFunction: 'memfd_add_seals', description: 'The file has no seals (not shmem/hugetlbfs).' },
  'memfd_add_seals:sealed': { op: 'F_ADD_SEALS', result: 'EPERM', kernelFunction: 'memfd_add_seals', description: 'F_SEAL_SEAL is set.' },
  'memfd_wait_for_pins:busy': { op: 'F_ADD_SEALS', result: 'EBUSY', kernelFunction: 'memfd_wait_for_pins', description: 'F_SEAL_WRITE while a page is pinned (e.g. for DMA).' },
  'memfd_add_seals:ok': { op: 'F_ADD_SEALS', result: 'ok', kernelFunction: 'memfd_add_seals', description: 'The seals are added (F_SEAL_EXEC on an executable memfd adds SHRINK|GROW|WRITE|FUTURE_WRITE).' },
  'shmem_setattr:frozen': { op: 'FTRUNCATE', result: 'EPERM', kernelFunction: 'shmem_setattr', description: 'A size change of a memfd that memfd_luo preserved (shmem_freeze), until it is unpreserved.' },
  'iommufd_fops_open:ok': { op: 'IOMMUFD_OPEN', result: 'ok', kernelFunction: 'iommufd_fops_open', description: 'open("/dev/iommu"): a new iommufd_ctx and its fd.' },
  'vfio_device_fops_cdev_open:ok': { op: 'VFIO_DEVICE_OPEN', result: 'ok', kernelFunction: 'vfio_device_fops_cdev_open', description: 'open() of the device cdev: a new, unbound cdev file.' },
  'vfio_device_fops_cdev_open:lu-claimed': {
    op: 'VFIO_DEVICE_OPEN', result: 'EBUSY', kernelFunction: 'vfio_device_fops_cdev_open',
    description: 'The device was preserved by the previous kernel and its session has not finished: only its retrieved cdev may be used (DM-v3).',
  },
  'vfio_df_open:opened': { op: 'VFIO_DEVICE_BIND_IOMMUFD', result: 'EINVAL', kernelFunction: 'vfio_df_open', description: 'Another cdev of the device is bound: the cdev path opens a device once.' },
  'vfio_df_ioctl_bind_iommufd:lu-iommufd': {
    op: 'VFIO_DEVICE_BIND_IOMMUFD', result: 'EPERM', kernelFunction: 'vfio_df_ioctl_bind_iommufd',
    description: 'A cdev retrieved with IOMMU state binds only to the iommufd retrieved from its session (SK-v1 14/14).',
  },

  // ---- live update: io_pagetable.c immutability (SK-v1 11/14) --------------------------------------------------
  'iopt_alloc_area_pages:lu-immutable': { op: MAPS, result: 'EBUSY', kernelFunction: 'iopt_alloc_area_pages', description: 'The IOAS was made immutable by preserving its iommufd with a marked HWPT on it.' },
  'iopt_alloc_area_pages:lu-held': { op: MAPS, result: 'EBUSY', kernelFunction: 'iopt_alloc_area_pages', description: 'Patch lu-hold-until-finish: the IOAS is behind the HWPT a device in an unfinished live update was replaced onto.' },
  'iopt_unmap_iova_range:lu-held': { op: 'IOMMU_IOAS_UNMAP', result: 'EBUSY', kernelFunction: 'iopt_unmap_iova_range', description: 'Patch lu-hold-until-finish: the IOAS is behind the HWPT a device in an unfinished live update was replaced onto (unmap-all included).' },
  'iopt_unmap_iova_range:lu-immutable': { op: 'IOMMU_IOAS_UNMAP', result: 'EBUSY', kernelFunction: 'iopt_unmap_iova_range', description: 'The IOAS was made immutable by preserving its iommufd (unmap-all included).' },

  // ---- live update: LUO (luo_core.c, luo_session.c, luo_file.c) ------------------------------------------------
  'luo_open:no-device': { op: 'LIVEUPDATE_OPEN', result: 'ENOENT', kernelFunction: 'luo_open', description: 'This kernel has no LUO: /dev/liveupdate does not exist.' },
  'luo_open:busy': { op: 'LIVEUPDATE_OPEN', result: 'EBUSY', kernelFunction: 'luo_open', description: '/dev/liveupdate is open already (exclusive open).' },
  'luo_open:deserialize': {
    op: 'LIVEUPDATE_OPEN', result: 'EIO', kernelFunction: 'luo_open',
    description: 'The incoming state failed to deserialize at boot (a preserved file whose handler compatible this kernel lacks); sticky.',
  },
  'luo_open:ok': { op: 'LIVEUPDATE_OPEN', result: 'ok', kernelFunction: 'luo_open', description: '/dev/liveupdate is opened.' },
  'luo_ioctl:unknown': { op: 'an iommufd or session ioctl on /dev/liveupdate', result: 'EINVAL', kernelFunction: 'luo_ioctl', description: 'The nr is outside luo_ioctl_ops[].' },
  'luo_session_ioctl:unknown': { op: 'an ioctl other than a session one on a session fd', result: 'EINVAL', kernelFunction: 'luo_session_ioctl', description: 'The nr is outside luo_session_ioctl_ops[].' },
  'luo_session_name:empty': { op: 'LIVEUPDATE_IOCTL_CREATE_SESSION, LIVEUPDATE_IOCTL_RETRIEVE_SESSION', result: 'EINVAL', kernelFunction: 'luo_session_create', description: 'An empty session name (newest LUO).' },
  'luo_session_name:unterminated': {
    op: 'LIVEUPDATE_IOCTL_CREATE_SESSION, LIVEUPDATE_IOCTL_RETRIEVE_SESSION', result: 'EINVAL', kernelFunction: 'luo_session_create',
    description: 'A name that fills all LIVEUPDATE_SESSION_NAME_LENGTH (64) bytes: no NUL terminator (newest LUO).',
  },
  'luo_session_insert:full': { op: 'LIVEUPDATE_IOCTL_CREATE_SESSION', result: 'ENOMEM', kernelFunction: 'luo_session_insert', description: 'LUO_SESSION_MAX (819: 16 pages of 80-byte luo_session_ser) outgoing sessions exist (older LUO with fixed limits).' },
  'luo_session_insert:exists': { op: 'LIVEUPDATE_IOCTL_CREATE_SESSION', result: 'EEXIST', kernelFunction: 'luo_session_insert', description: 'An outgoing session has this name.' },
  'luo_session_create:ok': { op: 'LIVEUPDATE_IOCTL_CREATE_SESSION', result: 'ok', kernelFunction: 'luo_session_create', description: 'A new outgoing session and its fd.' },
  'luo_session_retrieve:not-found': { op: 'LIVEUPDATE_IOCTL_RETRIEVE_SESSION', result: 'ENOENT', kernelFunction: 'luo_session_retrieve', description: 'No incoming session has this name.' },
  'luo_session_retrieve:retrieved': { op: 'LIVEUPDATE_IOCTL_RETRIEVE_SESSION', result: 'EINVAL', kernelFunction: 'luo_session_retrieve', description: 'The session was retrieved already (a session is retrieved once).' },
  'luo_session_retrieve:ok': { op: 'LIVEUPDATE_IOCTL_RETRIEVE_SESSION', result: 'ok', kernelFunction: 'luo_session_retrieve', description: 'The incoming session and its fd.' },
  'luo_session_ioctl:type': {
    op: 'LIVEUPDATE_SESSION_PRESERVE_FD, LIVEUPDATE_SESSION_RETRIEVE_FD, LIVEUPDATE_SESSION_FINISH', result: 'EINVAL', kernelFunction: 'luo_session_ioctl',
    description: 'PRESERVE_FD on a retrieved session, or RETRIEVE_FD/FINISH on an outgoing one (typed session ioctls).',
  },
  'luo_preserve_file:token-used': { op: LU, result: 'EEXIST', kernelFunction: 'luo_preserve_file', description: 'The token is used in this session (checked first).' },
  'luo_preserve_file:full': { op: LU, result: 'ENOSPC', kernelFunction: 'luo_preserve_file', description: 'LUO_FILE_MAX (128) files in the session (older LUO with fixed limits).' },
  'luo_preserve_file:bad-fd': { op: LU, result: 'EBADF', kernelFunction: 'luo_preserve_file', description: 'fget(fd) failed.' },
  'luo_preserve_file:no-handler': { op: LU, result: 'ENOENT', kernelFunction: 'luo_preserve_file', description: "No registered handler's can_preserve() accepts the file." },
  'luo_preserve_file:preserved': { op: LU, result: 'EBUSY', kernelFunction: 'luo_preserve_file', description: 'The file is preserved already (in any session) or retrieved and not finished (luo_preserved_files).' },
  'luo_preserve_file:ok': { op: LU, result: 'ok', kernelFunction: 'luo_preserve_file', description: "The handler preserved the file; LUO holds a reference on it." },
  'luo_retrieve_file:not-found': { op: 'LIVEUPDATE_SESSION_RETRIEVE_FD', result: 'ENOENT', kernelFunction: 'luo_retrieve_file', description: 'No file of the session has this token.' },
  'luo_retrieve_file:again': { op: 'LIVEUPDATE_SESSION_RETRIEVE_FD', result: 'ok', kernelFunction: 'luo_retrieve_file', description: 'Retrieved already: the same file again, on a new fd (idempotent).' },
  'luo_retrieve_file:ok': { op: 'LIVEUPDATE_SESSION_RETRIEVE_FD', result: 'ok', kernelFunction: 'luo_retrieve_file', description: "The handler's retrieve() made the file; LUO keeps a reference until finish." },
  'luo_file_can_finish:busy': {
    op: 'LIVEUPDATE_SESSION_FINISH, CLOSE', result: 'EBUSY', kernelFunction: 'luo_file_can_finish_one',
    description: "A handler's can_finish() is false: nothing is finished (all or nothing). On CLOSE the session stays held by LUO.",
  },
  'luo_session_finish:ok': { op: 'LIVEUPDATE_SESSION_FINISH', result: 'ok', kernelFunction: 'luo_file_finish', description: "Every file's finish() ran, last first; LUO gave its references up." },

  // ---- live update: iommufd (SK-v1 10-11/14; restore path @039a2632) ------------------------------------------
  'iommufd_get_hwpt_paging:not-found': { op: 'IOMMU_HWPT_LU_SET_PRESERVE', result: 'ENOENT', kernelFunction: 'iommufd_get_hwpt_paging', description: 'hwpt_id is not a HWPT_PAGING.' },
  'iommufd_hwpt_lu_set_preserve:token-in-use': { op: 'IOMMU_HWPT_LU_SET_PRESERVE', result: 'EADDRINUSE', kernelFunction: 'iommufd_hwpt_lu_set_preserve', description: 'Another marked HWPT of this iommufd has the token.' },
  'iommufd_hwpt_lu_set_preserve:ok': { op: 'IOMMU_HWPT_LU_SET_PRESERVE', result: 'ok', kernelFunction: 'iommufd_hwpt_lu_set_preserve', description: 'The HWPT is marked for preservation with the token.' },
  'check_iopt_pages_preserved:not-file': { op: LU, result: 'EINVAL', kernelFunction: 'check_iopt_pages_preserved', description: 'A marked HWPT\'s IOAS has an area that is not IOPT_ADDRESS_FILE.' },
  'check_iopt_pages_preserved:not-sealed': { op: LU, result: 'EINVAL', kernelFunction: 'check_iopt_pages_preserved', description: 'A mapped file lacked F_SEAL_SEAL|GROW|SHRINK when it was mapped.' },
  'check_iopt_pages_preserved:file-not-preserved': { op: LU, result: 'ENOENT', kernelFunction: 'liveupdate_get_token_outgoing', description: 'A mapped file is not preserved in the same session.' },
  'iommu_domain_preserve:not-generic-pt': { op: LU, result: 'EOPNOTSUPP', kernelFunction: 'iommu_domain_preserve', description: 'A marked HWPT\'s domain is not a generic_pt format (the selftest mock domain).' },
  'iommufd_liveupdate_retrieve:not-supported': { op: 'LIVEUPDATE_SESSION_RETRIEVE_FD', result: 'EOPNOTSUPP', kernelFunction: 'iommufd_liveupdate_retrieve', description: 'SK-v1 as posted: the iommufd cannot be retrieved (Phase 2).' },
  'iommufd_hwpt_lu_restore:not-retrieved': { op: 'IOMMU_HWPT_LU_RESTORE', result: 'ENOTTY', kernelFunction: 'iommufd_hwpt_lu_restore', description: 'The iommufd was not retrieved from LUO (ictx->lu is NULL).' },
  'iommufd_hwpt_lu_restore:no-token': { op: 'IOMMU_HWPT_LU_RESTORE', result: 'ENOENT', kernelFunction: 'iommufd_hwpt_lu_restore', description: 'No preserved HWPT has this token, or it was reclaimed already.' },
  'iommufd_hwpt_lu_restore:no-domain': { op: 'IOMMU_HWPT_LU_RESTORE', result: 'ENOENT', kernelFunction: 'iommufd_hwpt_lu_restore', description: 'The HWPT was preserved but no device brought its domain back at boot (restored_domain is NULL).' },
  'iommufd_hwpt_lu_restore:ok': { op: 'IOMMU_HWPT_LU_RESTORE', result: 'ok', kernelFunction: 'iommufd_hwpt_lu_restore', description: 'A HWPT_PAGING around the restored domain, with no IOAS; pt_id written back.' },

  // ---- live update: VFIO cdev (SK-v1 12-14/14) ------------------------------------------------------------------
  'iommufd_device_preserve:hwpt-not-marked': { op: LU, result: 'EINVAL', kernelFunction: 'iommufd_device_preserve', description: 'The cdev is attached to a HWPT that is not marked for preservation.' },
  'iommufd_device_preserve:iommufd-not-preserved': { op: LU, result: 'ENOENT', kernelFunction: 'iommufd_device_preserve', description: 'The HWPT is marked but its iommufd is not preserved in the same session.' },
  'iommu_preserve_device:domain-not-preserved': { op: LU, result: 'EINVAL', kernelFunction: 'iommu_preserve_device', description: 'The HWPT was marked after its iommufd was preserved: its domain has no preserved state.' },

  // ---- live update: reboot and boot (kexec.ts) ------------------------------------------------------------------
  'luo_file_freeze:failed': { op: 'KEXEC', result: 'EINVAL', kernelFunction: 'luo_file_freeze', description: "Injected: a handler's freeze() fails; the files frozen before it are unfrozen and reboot() fails." },
  'liveupdate_reboot:kho-finalize': { op: 'KEXEC', result: 'EAGAIN', kernelFunction: 'liveupdate_reboot', description: 'Injected: kho_finalize() fails; reboot() fails EAGAIN.' },
  'kernel_kexec:ok': { op: 'KEXEC', result: 'ok', kernelFunction: 'kernel_kexec', description: 'The new kernel booted; preserved state as its KHO, LUO and IOMMU made of it.' },
  'luo_early_startup:incompatible': { op: 'KEXEC', result: 'PANIC', kernelFunction: 'luo_restore_fail', description: 'The LUO subtree has another LUO ABI compatible: the new kernel panics.' },
  'iommu_restore_domain:restore-failed': {
    op: 'KEXEC', result: 'PANIC', kernelFunction: 'iommu_restore_domain',
    description: 'kho_restore_folio() of a preserved page-table page failed (not reserved, or injected): BUG_ON.',
  },

  // ---- the hardware: DMA (dma.ts) -------------------------------------------------------------------------------
  'dma:ok': { op: 'DMA', result: 'ok', kernelFunction: 'IOMMU hardware', description: 'The walk reached a leaf permitting the access: the frame it names.' },
  'dma:blocked': { op: 'DMA', result: 'FAULT', kernelFunction: 'IOMMU hardware', description: 'The device is blocked or on the default domain: no translation.' },
  'dma:no-translation': { op: 'DMA', result: 'FAULT', kernelFunction: 'IOMMU hardware', description: 'The page table has no translation for the IOVA.' },
  'dma:not-permitted': { op: 'DMA', result: 'FAULT', kernelFunction: 'IOMMU hardware', description: 'The translation does not permit the access (read or write).' },
  'dma:garbage-table': {
    op: 'DMA', result: 'FAULT', kernelFunction: 'IOMMU hardware',
    description: 'The walk reads a frame that is no page table (freed, or reused by a new kernel).',
  },
} as const satisfies Record<string, RuleSpec>;

/** A rule id the handlers can name (checked at compile time). */
export type KnownRuleId = keyof typeof TABLE;

/** Every rule, in table order. */
export const RULES: readonly Rule[] = Object.entries(TABLE).map(([id, r]) => ({ id, ...r }));

/** The errno (or `ok` / `not-modelled`) a rule ends with. */
export function ruleResult(id: KnownRuleId): RuleSpec['result'] {
  return TABLE[id].result;
}

/**
 * Rule coverage (src/kernel/rules.ts): every rule has a scenario here that ends on it (the table is typed by
 * KnownRuleId, so a rule without a scenario does not compile), and every rule any call returns is in RULES.
 * Each scenario is the shortest sequence that reaches its rule.
 * One file over 400 lines on purpose: the scenario table is one Record over every rule id, so that the compiler
 * checks no rule is left without a scenario; split, that check would be lost.
 */
import { describe, expect, it } from 'vitest';
import {
  RULES, F_SEALS as S, HWPT_ALLOC_FLAGS as F, IOMMU_HWPT_DATA_TYPES as T, IOMMU_OPTION_IDS as OPT, IOMMU_OPTION_OPS as OP,
  ULONG_MAX, VFIO_DEVICE_PT_FLAGS, type DmaRequest, type KnownRuleId, type ProfileName, type Syscall,
} from '../../src/kernel/index.ts';
import { BUF_VA, FIXED, MOCK_APERTURE, P, RW, U64_MAX, World, config, mockDev } from './harness.ts';
import {
  GUEST_IOVA, GUEST_PAGES, HUGE_GUEST, HWPT_TOKEN, SESSION, T_CDEV, T_IOMMUFD, T_MEMFD, attachCdev, attachCdevCall, detachCdevCall,
  guestWorld, prepare, preserveAll, rebuild, retrieveAll, type GuestShape, type Retrieved,
} from './lu.ts';
import { copy } from '../invariants/plant.ts';

const A = MOCK_APERTURE[0];

/** A world with an IOAS (id 1), a memfd `g`, mock devices m0/m1, a no-dirty mock, a PCI device, 64-page limit. */
function w0(opts: { profile?: ProfileName; rlimit?: number; caps?: { ipcLock: boolean; sysResource: boolean } } = {}): World {
  const w = new World(config({
    memfds: [{ name: 'g', pages: 4 }],
    devices: [mockDev('m0'), mockDev('m1'), mockDev('nd', { dirtyTracking: false }), { name: 'pci' }, { name: 'big', pgsize: 2n * P }],
    buffers: [{ name: 'buf', va: BUF_VA, pages: 64, holes: [] }, { name: 'hole', va: BUF_VA + 0x100000n, pages: 2, holes: [1] }],
    ...(opts.rlimit !== undefined ? { rlimitMemlock: opts.rlimit } : {}),
    ...(opts.caps ? { capabilities: opts.caps } : {}),
  }), opts.profile);
  w.newIoas();
  return w;
}

/** w0 with m0 attached to IOAS 1 (device 2, auto HWPT 3). */
function attached(opts: Parameters<typeof w0>[0] = {}): World {
  const w = w0(opts);
  w.bindAttach('m0', 1);
  return w;
}

type Scenario = () => { w: World; call: Syscall } | { w: World; dma: DmaRequest };
const last = (w: World, call: Syscall) => ({ w, call });

/** A memfd `m` preserved in session "s", then a kexec into the same kernel: [world, /dev/liveupdate fd]. */
function memfdKexec(profile: ProfileName = 'linux-7.1-sk-restore'): [World, number] {
  const w = new World(config({ memfds: [{ name: 'm', pages: 1 }] }), profile);
  const lu = w.fd(w.luOpen());
  const s = w.fd(w.createSession(lu, 's'));
  w.ok(w.preserve(s, w.memfd('m'), 7n));
  w.ok(w.kexec(profile));
  return [w, w.fd(w.luOpen())];
}

/** A world with /dev/liveupdate open and an outgoing session "s": [world, lu fd, session fd]. */
function session(profile: ProfileName = 'linux-7.1-sk-restore', memfds = 1): [World, number, number] {
  const w = new World(config({ memfds: Array.from({ length: memfds }, (_, i) => ({ name: `m${i}`, pages: 1 })) }), profile);
  const lu = w.fd(w.luOpen());
  return [w, lu, w.fd(w.createSession(lu, 's'))];
}

/** preserveAll() then a kexec into the same kernel and the session retrieved: the retrieved session's fd. */
function kexecRetrieve(profile: ProfileName = 'linux-7.1-sk-restore'): { w: World; s: number } {
  const { w } = preserveAll(profile);
  w.ok(w.kexec(profile));
  const lu = w.fd(w.luOpen());
  return { w, s: w.fd(w.retrieveSession(lu, SESSION)) };
}

/** The series with one hardening patch each (profiles.ts PATCHES). */
const RC = 'linux-7.1-sk-restore+lu-replace-check';
const HOLD = 'linux-7.1-sk-restore+lu-hold-until-finish';
const REBOOT = 'linux-7.1-sk-restore+lu-reboot-after-finish';

/** preserveAll() on `kernel`, a kexec into the same kernel, everything retrieved. */
function luRetrieved(kernel: string, extra: { breakBeforeMake?: boolean } & GuestShape = {}): Retrieved {
  const { w } = preserveAll(kernel, extra);
  w.ok(w.kexec(kernel));
  return retrieveAll(w);
}

/** On HOLD: a faithful rebuild and the replace onto it, so the device is held until FINISH. */
function held(): { r: Retrieved; b: ReturnType<typeof rebuild> } {
  const r = luRetrieved(HOLD);
  const b = rebuild(r);
  attachCdev(r.w, r.cdev, b.hwpt);
  return { r, b };
}

const SCENARIOS: Record<KnownRuleId, Scenario> = {
  'fdget:bad-fd': () => last(w0(), { op: 'CLOSE', fd: 99 }),
  'vfs_ioctl:no-ioctl': () => { const w = w0(); return last(w, { op: 'IOMMU_IOAS_ALLOC', fd: w.memfd('g'), arg: { flags: 0 } }); },
  'iommufd_fops_ioctl:unknown': () => { const w = w0({ profile: 'linux-6.12' }); return last(w, w.mapFile({ ioas_id: 1, fd: w.memfd('g'), length: P })); },
  'vfio_device_fops_unl_ioctl:not-bound': () => { const w = w0(); return last(w, w.detach('m0')); },
  'vfio_device_fops_unl_ioctl:unknown': () => { const w = attached(); return last(w, { op: 'IOMMU_IOAS_ALLOC', fd: w.dev('m0'), arg: { flags: 0 } }); },
  'not-modelled': () => { const w = attached(); return last(w, w.attach('m0', 1, VFIO_DEVICE_PT_FLAGS.PASID)); },

  'iommufd_object_remove:not-found': () => { const w = w0(); return last(w, w.destroy(0)); },
  'iommufd_object_remove:busy': () => { const w = attached(); return last(w, w.destroy(1)); },
  'iommufd_destroy:ok': () => { const w = w0(); return last(w, w.destroy(1)); },
  'iommufd_get_ioas:not-found': () => { const w = w0(); return last(w, w.ranges(7)); },
  'iommufd_option:reserved': () => { const w = w0(); return last(w, w.option({ option_id: OPT.RLIMIT_MODE, op: OP.GET, __reserved: 1 })); },
  'iommufd_option:unknown-option': () => { const w = w0(); return last(w, w.option({ option_id: 2, op: OP.GET })); },
  'close_fd:ok': () => { const w = w0(); return last(w, w.close(w.ifd)); },

  'iommufd_ioas_alloc_ioctl:flags': () => { const w = w0(); return last(w, w.ioasAlloc(2)); },
  'iommufd_ioas_alloc_ioctl:ok': () => { const w = w0(); return last(w, w.ioasAlloc()); },
  'iommufd_ioas_iova_ranges:reserved': () => { const w = w0(); return last(w, w.ranges(1, 1, 1)); },
  'iommufd_ioas_iova_ranges:too-small': () => { const w = w0(); return last(w, w.ranges(1, 0)); },
  'iommufd_ioas_iova_ranges:ok': () => { const w = w0(); return last(w, w.ranges(1)); },
  'iommufd_ioas_allow_iovas:reserved': () => { const w = w0(); return last(w, w.allow(1, [], 0, 1)); },
  'iommufd_ioas_load_iovas:start-not-below-last': () => { const w = w0(); return last(w, w.allow(1, [[2n, 1n]])); },
  'iommufd_ioas_load_iovas:overlap': () => { const w = w0(); return last(w, w.allow(1, [[0n, 9n], [9n, 10n]])); },
  'iommufd_ioas_allow_iovas:ok': () => { const w = w0(); return last(w, w.allow(1, [[P, 2n * P]])); },
  'iommufd_ioas_map:flags': () => { const w = w0(); return last(w, w.map({ ioas_id: 1, length: P, flags: 1 << 5 })); },
  'iommufd_ioas_map:overflow': () => { const w = w0(); return last(w, w.map({ ioas_id: 1, length: ULONG_MAX })); },
  'iommufd_ioas_map:no-access': () => { const w = w0(); return last(w, w.map({ ioas_id: 1, length: P, flags: FIXED })); },
  'iommufd_ioas_map:ok': () => { const w = w0(); return last(w, w.map({ ioas_id: 1, length: P })); },
  'iommufd_ioas_map_file:flags': () => { const w = w0(); return last(w, w.mapFile({ ioas_id: 1, fd: w.memfd('g'), length: P, flags: 1 << 9 })); },
  'iommufd_ioas_map_file:overflow': () => { const w = w0(); return last(w, w.mapFile({ ioas_id: 1, fd: w.memfd('g'), length: ULONG_MAX })); },
  'iommufd_ioas_map_file:no-access': () => { const w = w0(); return last(w, w.mapFile({ ioas_id: 1, fd: w.memfd('g'), length: P, flags: 0 })); },
  'iommufd_ioas_map_file:bad-fd': () => { const w = w0(); return last(w, w.mapFile({ ioas_id: 1, fd: 77, length: P })); },
  'iommufd_ioas_map_file:ok': () => { const w = w0(); return last(w, w.mapFile({ ioas_id: 1, fd: w.memfd('g'), length: P })); },
  'iommufd_ioas_copy:flags': () => { const w = w0(); return last(w, w.copy({ src_ioas_id: 1, dst_ioas_id: 1, src_iova: 0n, length: P, flags: 1 << 3 })); },
  'iommufd_ioas_copy:overflow': () => { const w = w0(); return last(w, w.copy({ src_ioas_id: 1, dst_ioas_id: 1, src_iova: 0n, dst_iova: ULONG_MAX, length: P })); },
  'iommufd_ioas_copy:no-access': () => { const w = w0(); return last(w, w.copy({ src_ioas_id: 1, dst_ioas_id: 1, src_iova: 0n, length: P, flags: 0 })); },
  'iommufd_ioas_copy:ok': () => { const w = w0(); w.ok(w.mapFixed(1, P, P)); return last(w, w.copy({ src_ioas_id: 1, dst_ioas_id: 1, src_iova: P, length: P })); },
  'iommufd_ioas_unmap:overflow': () => { const w = w0(); return last(w, w.unmap(1, 1n, ULONG_MAX)); },
  'iommufd_ioas_unmap:nothing-unmapped': () => { const w = w0(); return last(w, w.unmap(1, 0n, P)); },
  'iommufd_ioas_unmap:ok': () => { const w = w0(); w.ok(w.mapFixed(1, P, P)); return last(w, w.unmap(1, P, P)); },
  'iommufd_ioas_unmap:all-ok': () => { const w = w0(); return last(w, w.unmap(1, 0n, U64_MAX)); },
  'iommufd_option_rlimit_mode:object-id': () => { const w = w0(); return last(w, w.option({ option_id: OPT.RLIMIT_MODE, op: OP.GET, object_id: 1 })); },
  'iommufd_option_rlimit_mode:get-ok': () => { const w = w0(); return last(w, w.option({ option_id: OPT.RLIMIT_MODE, op: OP.GET })); },
  'iommufd_option_rlimit_mode:no-cap': () => { const w = w0({ rlimit: 4 }); return last(w, w.option({ option_id: OPT.RLIMIT_MODE, op: OP.SET, val64: 1n })); },
  'iommufd_option_rlimit_mode:objects-exist': () => { const w = w0(); return last(w, w.option({ option_id: OPT.RLIMIT_MODE, op: OP.SET, val64: 1n })); },
  'iommufd_option_rlimit_mode:bad-value': () => { const w = w0(); w.ok(w.destroy(1)); return last(w, w.option({ option_id: OPT.RLIMIT_MODE, op: OP.SET, val64: 3n })); },
  'iommufd_option_rlimit_mode:set-ok': () => { const w = w0(); w.ok(w.destroy(1)); return last(w, w.option({ option_id: OPT.RLIMIT_MODE, op: OP.SET, val64: 1n })); },
  'iommufd_option_rlimit_mode:bad-op': () => { const w = w0(); return last(w, w.option({ option_id: OPT.RLIMIT_MODE, op: 2 })); },
  'iommufd_ioas_option_huge_pages:get-ok': () => { const w = w0(); return last(w, w.option({ option_id: OPT.HUGE_PAGES, op: OP.GET, object_id: 1 })); },
  'iommufd_ioas_option_huge_pages:bad-value': () => { const w = w0(); return last(w, w.option({ option_id: OPT.HUGE_PAGES, op: OP.SET, object_id: 1, val64: 2n })); },
  'iommufd_ioas_option_huge_pages:bad-op': () => { const w = w0(); return last(w, w.option({ option_id: OPT.HUGE_PAGES, op: 5, object_id: 1 })); },

  'iopt_alloc_area_pages:length': () => { const w = attached(); return last(w, w.map({ ioas_id: 1, length: 100n })); },
  'iopt_alloc_iova:length': () => { const w = w0(); return last(w, w.map({ ioas_id: 1, length: 1n << 63n })); },
  'iopt_alloc_iova:alignment': () => { const w = attached(); return last(w, w.map({ ioas_id: 1, length: 2048n, user_va: BUF_VA + 1024n })); },
  'iopt_alloc_iova:no-space': () => { const w = w0(); w.ok(w.allow(1, [[P, 2n * P - 1n]])); return last(w, w.map({ ioas_id: 1, length: 2n * P })); },
  'iopt_alloc_area_pages:test-check-iova': () => {
    const w = new World(config(), 'linux-6.12.0-thp');
    w.newIoas();
    w.ok(w.map({ ioas_id: 1, iova: P, length: 0xffff_ffff_ffe0_1000n - P, user_va: 0n, flags: RW | FIXED }));
    return last(w, w.map({ ioas_id: 1, length: 0x101000n }));
  },
  'iopt_check_iova:misaligned': () => { const w = attached(); return last(w, w.mapFixed(1, A + 1024n, P)); },
  'iopt_check_iova:overflow': () => { const w = w0(); return last(w, w.mapFixed(1, ULONG_MAX - P, 2n * P)); },
  'iopt_check_iova:reserved': () => { const w = attached(); return last(w, w.mapFixed(1, 0n, P)); },
  'iopt_check_iova:area-overlap': () => { const w = w0(); w.ok(w.mapFixed(1, P, P)); return last(w, w.mapFixed(1, P, P)); },
  'iopt_insert_area:not-writable': () => { const w = w0(); w.ok(w.map({ ioas_id: 1, iova: P, length: P, flags: 4 | FIXED })); return last(w, w.copy({ src_ioas_id: 1, dst_ioas_id: 1, src_iova: P, length: P })); },
  'iopt_insert_area:page-offset': () => { const w = attached(); return last(w, w.mapFixed(1, A, P, BUF_VA + 1024n)); },
  'iopt_get_pages:length': () => { const w = w0(); return last(w, w.copy({ src_ioas_id: 1, dst_ioas_id: 1, src_iova: P, length: 0n })); },
  'iopt_get_pages:overflow': () => { const w = w0(); return last(w, w.copy({ src_ioas_id: 1, dst_ioas_id: 1, src_iova: ULONG_MAX - 1n, length: 3n })); },
  'iopt_get_pages:not-contiguous': () => { const w = w0(); return last(w, w.copy({ src_ioas_id: 1, dst_ioas_id: 1, src_iova: P, length: P })); },
  'iopt_unmap_iova:length': () => { const w = w0(); return last(w, w.unmap(1, P, 0n)); },
  'iopt_unmap_iova:overflow': () => { const w = w0(); return last(w, w.unmap(1, ULONG_MAX - 1n, 3n)); },
  'iopt_unmap_iova_range:partial-area': () => { const w = w0(); w.ok(w.mapFixed(1, P, 2n * P)); return last(w, w.unmap(1, P, P)); },
  'iopt_set_allow_iova:reserved-intersects': () => { const w = w0(); w.ok(w.addReserved(1, P, P)); return last(w, w.allow(1, [[0n, 2n * P]])); },
  'iopt_reserve_iova:in-use': () => { const w = w0(); w.ok(w.mapFixed(1, P, P)); return last(w, w.addReserved(1, P, P)); },
  'iopt_table_add_domain:alignment': () => { const w = w0(); w.ok(w.bind('big')); return last(w, w.attach('big', 1)); },
  'iopt_check_iova_alignment:misaligned-area': () => { const w = w0(); w.ok(w.map({ ioas_id: 1, iova: 0x1800n, length: 0x800n, flags: RW | FIXED })); w.ok(w.bind('pci')); return last(w, w.attach('pci', 1)); },
  'iopt_disable_large_pages:domains-and-areas': () => { const w = attached(); w.ok(w.mapFixed(1, A, P)); return last(w, w.option({ option_id: OPT.HUGE_PAGES, op: OP.SET, object_id: 1, val64: 0n })); },
  'iopt_disable_large_pages:ok': () => { const w = w0(); return last(w, w.option({ option_id: OPT.HUGE_PAGES, op: OP.SET, object_id: 1, val64: 0n })); },
  'iopt_enable_large_pages:ok': () => { const w = w0(); return last(w, w.option({ option_id: OPT.HUGE_PAGES, op: OP.SET, object_id: 1, val64: 1n })); },

  'iopt_alloc_pages:length': () => { const w = w0(); return last(w, w.map({ ioas_id: 1, length: 0n })); },
  'iopt_alloc_user_pages:overflow': () => { const w = w0(); return last(w, w.map({ ioas_id: 1, length: P, user_va: U64_MAX - 10n })); },
  'iopt_alloc_file_pages:overflow': () => { const w = w0(); return last(w, w.mapFile({ ioas_id: 1, fd: w.memfd('g'), start: U64_MAX - 1n, length: P })); },
  'pfn_reader_user_pin:fault': () => { const w = attached(); return last(w, w.map({ ioas_id: 1, length: 2n * P, user_va: BUF_VA + 0x100000n })); },
  'memfd_pin_folios:not-memfd': () => { const w = attached(); return last(w, w.mapFile({ ioas_id: 1, fd: w.ifd, length: P })); },
  'memfd_pin_folios:beyond-eof': () => { const w = attached(); return last(w, w.mapFile({ ioas_id: 1, fd: w.memfd('g'), start: 4n * P, length: P })); },
  'incr_user_locked_vm:rlimit': () => { const w = attached({ rlimit: 1 }); return last(w, w.map({ ioas_id: 1, length: 2n * P })); },
  'update_mm_locked_vm:rlimit': () => {
    const w = new World(config({ devices: [mockDev('m0')], rlimitMemlock: 1, capabilities: { ipcLock: false, sysResource: true } }));
    w.ok(w.option({ option_id: OPT.RLIMIT_MODE, op: OP.SET, val64: 1n }));
    w.newIoas();
    w.bindAttach('m0', 1);
    return last(w, w.map({ ioas_id: 1, length: 2n * P }));
  },

  'iommufd_hwpt_alloc:reserved': () => { const w = w0(); return last(w, w.hwptAlloc({ dev_id: 0, pt_id: 0, __reserved: 1 })); },
  'iommufd_hwpt_alloc:data-len': () => { const w = w0(); return last(w, w.hwptAlloc({ dev_id: 0, pt_id: 0, data_len: 1 })); },
  'iommufd_get_device:not-found': () => { const w = w0(); return last(w, w.hwptAlloc({ dev_id: 1, pt_id: 1 })); },
  'iommufd_hwpt_alloc:pt-not-found': () => { const w = attached(); return last(w, w.hwptAlloc({ dev_id: 2, pt_id: 9 })); },
  'iommufd_hwpt_alloc:pt-type': () => { const w = attached(); return last(w, w.hwptAlloc({ dev_id: 2, pt_id: 2 })); },
  'iommufd_hwpt_paging_alloc:flags': () => { const w = attached({ profile: 'linux-6.12' }); return last(w, w.hwptAlloc({ dev_id: 2, pt_id: 1, flags: F.PASID })); },
  'iommufd_hwpt_paging_alloc:no-dirty-cap': () => { const w = w0(); const d = w.ok(w.bind('nd')).out_devid as number; return last(w, w.hwptAlloc({ dev_id: d, pt_id: 1, flags: F.DIRTY_TRACKING })); },
  'domain_alloc_paging_flags:user-data': () => { const w = attached(); return last(w, w.hwptAlloc({ dev_id: 2, pt_id: 1, data_type: T.SELFTEST, data_len: 4 })); },
  'iommufd_hwpt_nested_alloc:flags-or-data': () => { const w = attached(); return last(w, w.hwptAlloc({ dev_id: 2, pt_id: 3, flags: F.NEST_PARENT, data_type: T.SELFTEST, data_len: 4 })); },
  'iommufd_hwpt_nested_alloc:parent': () => { const w = attached(); return last(w, w.hwptAlloc({ dev_id: 2, pt_id: 3, data_type: T.SELFTEST, data_len: 4 })); },
  'mock_domain_alloc_nested:data-type': () => { const w = attached(); w.ok(w.hwptAlloc({ dev_id: 2, pt_id: 1, flags: F.NEST_PARENT })); return last(w, w.hwptAlloc({ dev_id: 2, pt_id: 4, data_type: T.VTD_S1, data_len: 4 })); },
  'iommu_copy_struct_from_user:short': () => { const w = attached(); w.ok(w.hwptAlloc({ dev_id: 2, pt_id: 1, flags: F.NEST_PARENT })); return last(w, w.hwptAlloc({ dev_id: 2, pt_id: 4, data_type: T.SELFTEST, data_len: 2 })); },
  'iommufd_get_fault:not-found': () => { const w = attached(); return last(w, w.hwptAlloc({ dev_id: 2, pt_id: 1, flags: F.FAULT_ID_VALID, fault_id: 3 })); },
  'iommufd_hwpt_alloc:ok-paging': () => { const w = attached(); return last(w, w.hwptAlloc({ dev_id: 2, pt_id: 1 })); },
  'iommufd_hwpt_alloc:ok-nested': () => { const w = attached(); w.ok(w.hwptAlloc({ dev_id: 2, pt_id: 1, flags: F.NEST_PARENT })); return last(w, w.hwptAlloc({ dev_id: 2, pt_id: 4, data_type: T.SELFTEST, data_len: 4 })); },

  'vfio_df_ioctl_bind_iommufd:args': () => { const w = w0(); return last(w, w.bind('m0', w.ifd, 1)); },
  'vfio_df_ioctl_bind_iommufd:bound': () => { const w = attached(); return last(w, w.bind('m0')); },
  'iommufd_ctx_from_fd:bad-fd': () => { const w = w0(); return last(w, w.bind('m0', 50)); },
  'iommufd_ctx_from_fd:not-iommufd': () => { const w = w0(); return last(w, w.bind('m0', w.memfd('g'))); },
  'vfio_df_ioctl_bind_iommufd:ok': () => { const w = w0(); return last(w, w.bind('m0')); },
  'vfio_df_ioctl_attach_pt:flags': () => { const w = attached(); return last(w, w.attach('m0', 1, 4)); },
  'iommufd_device_change_pt:not-found': () => { const w = attached(); return last(w, w.attach('m0', 9)); },
  'iommufd_device_change_pt:type': () => { const w = attached(); return last(w, w.attach('m0', 2)); },
  'iommufd_hw_pagetable_attach:incompatible': () => { const w = attached(); w.ok(w.bind('pci')); return last(w, w.attach('pci', 3)); },
  'iommufd_device_do_replace:incompatible': () => { const w = attached(); w.ok(w.bind('pci')); w.ok(w.attach('pci', 1)); return last(w, w.attach('pci', 3)); },
  'iommufd_device_attach:ok-hwpt': () => { const w = attached(); w.ok(w.bind('m1')); return last(w, w.attach('m1', 3)); },
  'iommufd_device_attach:ok-auto-reuse': () => { const w = attached(); w.ok(w.bind('m1')); return last(w, w.attach('m1', 1)); },
  'iommufd_device_attach:ok-auto-new': () => { const w = w0(); w.ok(w.bind('m0')); return last(w, w.attach('m0', 1)); },
  'iommufd_device_replace:ok-hwpt': () => { const w = attached(); w.ok(w.hwptAlloc({ dev_id: 2, pt_id: 1 })); return last(w, w.attach('m0', 4)); },
  'iommufd_device_replace:ok-same': () => { const w = attached(); return last(w, w.attach('m0', 3)); },
  'iommufd_device_replace:ok-auto-reuse': () => { const w = attached(); w.bindAttach('m1', 1); w.ok(w.attach('m0', w.newIoas())); return last(w, w.attach('m0', 1)); },
  'iommufd_device_replace:ok-auto-new': () => { const w = attached(); return last(w, w.attach('m0', w.newIoas())); },
  'vfio_df_ioctl_detach_pt:flags': () => { const w = attached(); return last(w, w.detach('m0', 8)); },
  'vfio_iommufd_physical_detach_ioas:not-attached': () => { const w = w0(); w.ok(w.bind('m0')); return last(w, w.detach('m0')); },
  'iommufd_device_detach:ok': () => { const w = attached(); return last(w, w.detach('m0')); },

  'iommufd_test_add_reserved:ok': () => { const w = w0(); return last(w, w.addReserved(1, P, P)); },

  'do_sys_ftruncate:negative': () => { const w = w0(); return last(w, w.ftruncate(w.memfd('g'), 1n << 63n)); },
  'do_sys_ftruncate:not-regular': () => { const w = w0(); return last(w, w.ftruncate(w.ifd, 0n)); },
  'shmem_setattr:sealed': () => { const w = w0(); w.ok(w.seals(w.memfd('g'), S.GROW)); return last(w, w.ftruncate(w.memfd('g'), 8n * P)); },
  'shmem_setattr:ok': () => { const w = w0(); return last(w, w.ftruncate(w.memfd('g'), 8n * P)); },
  'memfd_fcntl:arg': () => { const w = w0(); return last(w, w.seals(w.memfd('g'), 2 ** 33)); },
  'memfd_add_seals:unknown-seal': () => { const w = w0(); return last(w, w.seals(w.memfd('g'), 0x80)); },
  'memfd_add_seals:not-memfd': () => { const w = w0(); return last(w, w.seals(w.dev('m0'), S.SEAL)); },
  'memfd_add_seals:sealed': () => { const w = w0(); w.ok(w.seals(w.memfd('g'), S.SEAL)); return last(w, w.seals(w.memfd('g'), S.GROW)); },
  'memfd_wait_for_pins:busy': () => { const w = attached(); w.ok(w.mapFile({ ioas_id: 1, fd: w.memfd('g'), length: P, iova: A, flags: RW | FIXED })); return last(w, w.seals(w.memfd('g'), S.WRITE)); },
  'memfd_add_seals:ok': () => { const w = w0(); return last(w, w.seals(w.memfd('g'), S.SEAL | S.SHRINK | S.GROW)); },
  'shmem_setattr:frozen': () => { const [w, , s] = session(); w.ok(w.preserve(s, w.memfd('m0'), 1n)); return last(w, w.ftruncate(w.memfd('m0'), 2n * P)); },
  'iommufd_fops_open:ok': () => { const w = w0(); return last(w, w.iommufdOpen()); },
  'vfio_device_fops_cdev_open:ok': () => { const w = w0(); return last(w, w.vfioOpen('m0')); },
  'vfio_device_fops_cdev_open:lu-claimed': () => { const { w } = preserveAll(); w.ok(w.kexec('linux-7.1-sk-restore')); return last(w, w.vfioOpen('dev0')); },
  'vfio_df_open:opened': () => { const w = w0(); w.ok(w.bind('m0')); const c = w.fd(w.vfioOpen('m0')); return last(w, { op: 'VFIO_DEVICE_BIND_IOMMUFD', fd: c, arg: { flags: 0, iommufd: w.ifd } }); },
  'vfio_df_ioctl_bind_iommufd:lu-iommufd': () => {
    const { w, s } = kexecRetrieve();
    const cdev = w.fd(w.retrieveFd(s, T_CDEV));
    const fresh = w.fd(w.iommufdOpen());
    return last(w, { op: 'VFIO_DEVICE_BIND_IOMMUFD', fd: cdev, arg: { flags: 0, iommufd: fresh } });
  },
  'iopt_alloc_area_pages:lu-immutable': () => { const { w, ioas } = preserveAll(); return last(w, w.mapFile({ ioas_id: ioas, fd: w.memfd('guest'), length: P })); },
  'iopt_unmap_iova_range:lu-immutable': () => { const { w, ioas } = preserveAll(); return last(w, w.unmap(ioas, GUEST_IOVA, P)); },
  'luo_open:no-device': () => { const w = w0({ profile: 'linux-6.16' }); return last(w, w.luOpen()); },
  'luo_open:busy': () => { const w = w0(); w.ok(w.luOpen()); return last(w, w.luOpen()); },
  'luo_open:deserialize': () => {
    const { w } = preserveAll();
    w.strict = false; // the rollback breaks dma-never-faults and fail-stop (domain.md §E), which is not this rule's point
    w.ok(w.kexec('linux-7.1'));
    return last(w, w.luOpen());
  },
  'luo_open:ok': () => { const w = w0(); return last(w, w.luOpen()); },
  'luo_ioctl:unknown': () => { const w = w0(); const lu = w.fd(w.luOpen()); return last(w, { op: 'IOMMU_IOAS_ALLOC', fd: lu, arg: { flags: 0 } }); },
  'luo_session_ioctl:unknown': () => { const [w, , s] = session(); return last(w, { op: 'IOMMU_IOAS_ALLOC', fd: s, arg: { flags: 0 } }); },
  'luo_session_name:empty': () => { const [w, lu] = session(); return last(w, w.createSession(lu, '')); },
  'luo_session_name:unterminated': () => { const [w, lu] = session(); return last(w, w.createSession(lu, 'x'.repeat(64))); },
  'luo_session_insert:full': () => {
    const w = new World(config(), 'linux-6.19');
    const lu = w.fd(w.luOpen());
    for (let i = 0; i < 819; i++) w.ok(w.createSession(lu, `s${i}`));
    return last(w, w.createSession(lu, 'one-more'));
  },
  'luo_session_insert:exists': () => { const [w, lu] = session(); return last(w, w.createSession(lu, 's')); },
  'luo_session_create:ok': () => { const w = w0(); const lu = w.fd(w.luOpen()); return last(w, w.createSession(lu, 'vm')); },
  'luo_session_retrieve:not-found': () => { const [w, lu] = memfdKexec(); return last(w, w.retrieveSession(lu, 'nope')); },
  'luo_session_retrieve:retrieved': () => { const [w, lu] = memfdKexec(); w.ok(w.retrieveSession(lu, 's')); return last(w, w.retrieveSession(lu, 's')); },
  'luo_session_retrieve:ok': () => { const [w, lu] = memfdKexec(); return last(w, w.retrieveSession(lu, 's')); },
  'luo_session_ioctl:type': () => { const [w, , s] = session(); return last(w, w.finish(s)); },
  'luo_preserve_file:token-used': () => { const [w, , s] = session('linux-7.1-sk-restore', 2); w.ok(w.preserve(s, w.memfd('m0'), 1n)); return last(w, w.preserve(s, w.memfd('m1'), 1n)); },
  'luo_preserve_file:full': () => {
    const [w, , s] = session('linux-6.19', 129);
    for (let i = 0; i < 128; i++) w.ok(w.preserve(s, w.memfd(`m${i}`), BigInt(i)));
    return last(w, w.preserve(s, w.memfd('m128'), 999n));
  },
  'luo_preserve_file:bad-fd': () => { const [w, , s] = session(); return last(w, w.preserve(s, 99, 1n)); },
  'luo_preserve_file:no-handler': () => { const [w, lu, s] = session(); return last(w, w.preserve(s, lu, 1n)); },
  'luo_preserve_file:preserved': () => { const [w, lu, s] = session(); w.ok(w.preserve(s, w.memfd('m0'), 1n)); const s2 = w.fd(w.createSession(lu, 's2')); return last(w, w.preserve(s2, w.memfd('m0'), 2n)); },
  'luo_preserve_file:ok': () => { const [w, , s] = session(); return last(w, w.preserve(s, w.memfd('m0'), 1n)); },
  'luo_retrieve_file:not-found': () => { const [w, lu] = memfdKexec(); const s = w.fd(w.retrieveSession(lu, 's')); return last(w, w.retrieveFd(s, 8n)); },
  'luo_retrieve_file:again': () => { const [w, lu] = memfdKexec(); const s = w.fd(w.retrieveSession(lu, 's')); w.ok(w.retrieveFd(s, 7n)); return last(w, w.retrieveFd(s, 7n)); },
  'luo_retrieve_file:ok': () => { const [w, lu] = memfdKexec(); const s = w.fd(w.retrieveSession(lu, 's')); return last(w, w.retrieveFd(s, 7n)); },
  'luo_file_can_finish:busy': () => { const { w, s } = kexecRetrieve(); return last(w, w.finish(s)); },
  'luo_session_finish:ok': () => { const [w, lu] = memfdKexec(); const s = w.fd(w.retrieveSession(lu, 's')); return last(w, w.finish(s)); },
  'iommufd_get_hwpt_paging:not-found': () => { const w = guestWorld(); const p = prepare(w, { mark: false }); return last(w, w.setPreserve(p.ioas, 1n)); },
  'iommufd_hwpt_lu_set_preserve:token-in-use': () => {
    const w = guestWorld();
    const p = prepare(w);
    const h2 = w.ok(w.hwptAlloc({ dev_id: p.devid, pt_id: p.ioas })).out_hwpt_id as number;
    return last(w, w.setPreserve(h2, HWPT_TOKEN));
  },
  'iommufd_hwpt_lu_set_preserve:ok': () => { const w = guestWorld(); const p = prepare(w, { mark: false }); return last(w, w.setPreserve(p.hwpt, HWPT_TOKEN)); },
  'check_iopt_pages_preserved:not-file': () => {
    const w = new World(config({ devices: [{ name: 'dev0' }] }));
    const devid = w.ok(w.bind('dev0')).out_devid as number;
    const ioas = w.newIoas();
    const hwpt = w.ok(w.hwptAlloc({ dev_id: devid, pt_id: ioas })).out_hwpt_id as number;
    w.ok(w.mapFixed(ioas, GUEST_IOVA, P));
    w.ok(w.setPreserve(hwpt, HWPT_TOKEN));
    const s = w.fd(w.createSession(w.fd(w.luOpen()), SESSION));
    return last(w, w.preserve(s, w.ifd, T_IOMMUFD));
  },
  'check_iopt_pages_preserved:not-sealed': () => {
    const w = guestWorld();
    prepare(w, { seal: false });
    const s = w.fd(w.createSession(w.fd(w.luOpen()), SESSION));
    w.ok(w.preserve(s, w.memfd('guest'), T_MEMFD));
    return last(w, w.preserve(s, w.ifd, T_IOMMUFD));
  },
  'check_iopt_pages_preserved:file-not-preserved': () => { const w = guestWorld(); prepare(w); const s = w.fd(w.createSession(w.fd(w.luOpen()), SESSION)); return last(w, w.preserve(s, w.ifd, T_IOMMUFD)); },
  'iommu_domain_preserve:not-generic-pt': () => { const w = attached(); w.ok(w.setPreserve(3, HWPT_TOKEN)); const s = w.fd(w.createSession(w.fd(w.luOpen()), SESSION)); return last(w, w.preserve(s, w.ifd, T_IOMMUFD)); },
  'iommufd_liveupdate_retrieve:not-supported': () => { const { w, s } = kexecRetrieve('linux-7.1-sk-v1'); return last(w, w.retrieveFd(s, T_IOMMUFD)); },
  'iommufd_hwpt_lu_restore:not-retrieved': () => { const w = w0(); return last(w, w.luRestore(HWPT_TOKEN, w.ifd)); },
  'iommufd_hwpt_lu_restore:no-token': () => { const r = retrieveAll(kexecOnly()); return last(r.w, r.w.luRestore(HWPT_TOKEN + 1n, r.ifd)); },
  'iommufd_hwpt_lu_restore:no-domain': () => {
    const w = guestWorld();
    prepare(w);
    const s = w.fd(w.createSession(w.fd(w.luOpen()), SESSION));
    w.ok(w.preserve(s, w.memfd('guest'), T_MEMFD));
    w.ok(w.preserve(s, w.ifd, T_IOMMUFD));
    w.ok(w.kexec('linux-7.1-sk-restore'));
    const s2 = w.fd(w.retrieveSession(w.fd(w.luOpen()), SESSION));
    const ifd = w.fd(w.retrieveFd(s2, T_IOMMUFD));
    return last(w, w.luRestore(HWPT_TOKEN, ifd));
  },
  'iommufd_hwpt_lu_restore:ok': () => { const r = retrieveAll(kexecOnly()); return last(r.w, r.w.luRestore(HWPT_TOKEN, r.ifd)); },
  'iommufd_device_preserve:hwpt-not-marked': () => {
    const w = guestWorld();
    prepare(w, { mark: false });
    const s = w.fd(w.createSession(w.fd(w.luOpen()), SESSION));
    w.ok(w.preserve(s, w.memfd('guest'), T_MEMFD));
    w.ok(w.preserve(s, w.ifd, T_IOMMUFD));
    return last(w, w.preserve(s, w.dev('dev0'), T_CDEV));
  },
  'iommufd_device_preserve:iommufd-not-preserved': () => { const w = guestWorld(); prepare(w); const s = w.fd(w.createSession(w.fd(w.luOpen()), SESSION)); return last(w, w.preserve(s, w.dev('dev0'), T_CDEV)); },
  'iommu_preserve_device:domain-not-preserved': () => {
    const w = guestWorld();
    const p = prepare(w, { mark: false });
    const s = w.fd(w.createSession(w.fd(w.luOpen()), SESSION));
    w.ok(w.preserve(s, w.memfd('guest'), T_MEMFD));
    w.ok(w.preserve(s, w.ifd, T_IOMMUFD));
    w.ok(w.setPreserve(p.hwpt, HWPT_TOKEN));
    return last(w, w.preserve(s, w.dev('dev0'), T_CDEV));
  },
  'luo_file_freeze:failed': () => { const { w } = preserveAll(); return last(w, w.kexec('linux-7.1-sk-restore', [{ name: 'freeze-fails', token: T_CDEV }])); },
  'liveupdate_reboot:kho-finalize': () => { const { w } = preserveAll(); return last(w, w.kexec('linux-7.1-sk-restore', [{ name: 'kho-finalize-fails' }])); },
  'kernel_kexec:ok': () => { const { w } = preserveAll(); return last(w, w.kexec('linux-7.1-sk-restore')); },
  'liveupdate_reboot:lu-unfinished': () => { const r = luRetrieved(REBOOT); return last(r.w, r.w.kexec(REBOOT)); },
  'luo_early_startup:incompatible': () => { const { w } = preserveAll(); return last(w, w.kexec('linux-7.2')); },
  'iommu_restore_domain:restore-failed': () => { const { w } = preserveAll(); return last(w, w.kexec('linux-7.1-sk-restore', [{ name: 'restore-table-page-fails' }])); },
  'lu_replace_check:translations': () => {
    const r = luRetrieved(RC);
    const b = rebuild(r, P, { length: BigInt(GUEST_PAGES - 1) * P }); // one page off, as lu-rebuilt-offset
    return last(r.w, attachCdevCall(r.cdev, b.hwpt));
  },
  'lu_replace_check:leaf-sizes': () => {
    const r = luRetrieved(RC, { breakBeforeMake: true, ...HUGE_GUEST });
    const b = rebuild(r, 0n, { ...HUGE_GUEST, hugePages: false }); // the same translations in 4 KiB leaves
    return last(r.w, attachCdevCall(r.cdev, b.hwpt));
  },
  'iommufd_device_do_replace:lu-held': () => { const { r, b } = held(); return last(r.w, attachCdevCall(r.cdev, b.restored)); },
  'iommufd_device_detach:lu-held': () => { const { r } = held(); return last(r.w, detachCdevCall(r.cdev)); },
  'iopt_alloc_area_pages:lu-held': () => {
    const { r, b } = held();
    return last(r.w, { op: 'IOMMU_IOAS_MAP_FILE', fd: r.ifd, arg: { flags: RW | FIXED, ioas_id: b.ioas, fd: r.guest, start: 0n, length: P, iova: 2n * GUEST_IOVA } });
  },
  'iopt_unmap_iova_range:lu-held': () => { const { r, b } = held(); return last(r.w, { op: 'IOMMU_IOAS_UNMAP', fd: r.ifd, arg: { ioas_id: b.ioas, iova: GUEST_IOVA, length: BigInt(GUEST_PAGES) * P } }); },
  'dma:ok': () => { const { w } = preserveAll(); return { w, dma: { device: 'dev0', iova: GUEST_IOVA, access: 'write' } }; },
  'dma:blocked': () => { const w = w0(); return { w, dma: { device: 'm0', iova: A, access: 'read' } }; },
  'dma:no-translation': () => { const { w } = preserveAll(); return { w, dma: { device: 'dev0', iova: 0n, access: 'read' } }; },
  'dma:not-permitted': () => {
    const w = attached();
    w.ok(w.map({ ioas_id: 1, iova: A, length: P, flags: IOAS_READ | FIXED }));
    return { w, dma: { device: 'm0', iova: A, access: 'write' } };
  },
  'dma:garbage-table': () => {
    // Planted: the device's top table frame overwritten by data, as a table frame reused by a new kernel is.
    const { w } = preserveAll();
    const k = copy(w.k);
    const hw = k.hw.find((h) => h.device === 'dev0');
    const top = hw?.pt?.top as number;
    k.frames[top] = { label: 'kernel:0', owner: { kind: 'kernel' }, pins: 0, table: null };
    w.k = k;
    return { w, dma: { device: 'dev0', iova: GUEST_IOVA, access: 'read' } };
  },
};

/** preserveAll() then a kexec into the same kernel. */
function kexecOnly(): World {
  const { w } = preserveAll();
  w.ok(w.kexec('linux-7.1-sk-restore'));
  return w;
}

const IOAS_READ = 1 << 2;

const KNOWN = new Set(RULES.map((r) => r.id));

describe('rules', () => {
  it('are unique, each with an errno, ok, not-modelled, PANIC or FAULT, a kernel function and a description', () => {
    expect(KNOWN.size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.kernelFunction.length).toBeGreaterThan(0);
      expect(r.description.length).toBeGreaterThan(10);
      expect(r.id).toMatch(/^([a-z0-9_]+:[a-z0-9-]+|not-modelled)$/);
    }
  });

  it('every rule has a scenario and every scenario is a rule', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...KNOWN].sort());
  });

  for (const [id, scenario] of Object.entries(SCENARIOS)) {
    it(`${id} is produced by its scenario`, () => {
      const s = scenario();
      const { w } = s;
      const spec = RULES.find((x) => x.id === id);
      if ('dma' in s) {
        const r = w.dma(s.dma.device, s.dma.iova, s.dma.access);
        expect(r.rule).toBe(id);
        expect(r.ok ? 'ok' : 'FAULT').toBe(spec?.result);
        return;
      }
      const r = w.run(s.call);
      expect(r.rule).toBe(id);
      const got = r.ok ? 'ok' : 'errno' in r ? r.errno : 'panic' in r ? 'PANIC' : 'not-modelled';
      expect(got).toBe(spec?.result);
      for (const produced of w.rules) expect(KNOWN.has(produced), produced).toBe(true);
    });
  }
});

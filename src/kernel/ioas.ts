/**
 * The IOAS ioctls (drivers/iommu/iommufd/ioas.c): decode and check each UAPI struct in the kernel's order, then call
 * the io_pagetable layer. Also IOMMU_OPTION (main.c iommufd_option() dispatching to ioas.c) and the IOAS destroy op.
 */
import {
  IOAS_MAP_FLAGS, IOMMU_OPTION_IDS, IOMMU_OPTION_OPS, U64_MAX, ULONG_MAX,
  type IommuIoasAlloc, type IommuIoasAllowIovas, type IommuIoasCopy, type IommuIoasIovaRanges, type IommuIoasMap,
  type IommuIoasMapFile, type IommuIoasUnmap, type IommuOption,
} from './uapi.ts';
import type { IoasObject, IovaRange, Kernel } from './types.ts';
import { profileOf, MAP_FLAGS_ALL } from './profiles.ts';
import { done, fail, isFail, notModelled, type Outcome } from './outcome.ts';
import { ctxOf, getIoas, nextObjectId, putObject, withCtx } from './main.ts';
import {
  IOMMU_CACHE, IOMMU_READ, IOMMU_WRITE, ioptDisableLargePages, ioptGetPages, ioptIovaRanges, ioptAlignment,
  ioptMapPages, ioptRemoveReserved, ioptSetAllowIova, ioptUnmapAll, ioptUnmapIovaRange, pagesLengthOk,
} from './ioPagetable.ts';
import { pagesGet, pagesInsert } from './pages.ts';
import { fdFile, fget } from './files.ts';
import { luHeldIoas } from './luHardening.ts';

/** conv_iommu_prot(): IOMMU_CACHE always (coherency is enforced at bind), plus READ/WRITE from the map flags. */
export function convIommuProt(flags: number): number {
  let prot = IOMMU_CACHE;
  if (flags & IOAS_MAP_FLAGS.WRITEABLE) prot |= IOMMU_WRITE;
  if (flags & IOAS_MAP_FLAGS.READABLE) prot |= IOMMU_READ;
  return prot;
}

/** iommufd_ioas_alloc(): a new empty io_pagetable (iopt_init_table: alignment 1, empty trees). */
export function iommufdIoasAllocIoctl(k: Kernel, ictx: number, cmd: IommuIoasAlloc): Outcome {
  if (cmd.flags) return fail('iommufd_ioas_alloc_ioctl:flags');
  const id = nextObjectId(k, ictx);
  const ioas: IoasObject = {
    id, type: 'IOAS', users: 1, areas: [], allowed: [], reserved: [], disableLargePages: false, domains: [], hwpts: [], luImmutable: false,
  };
  return done(putObject(k, ictx, ioas), 'iommufd_ioas_alloc_ioctl:ok', { out_ioas_id: id });
}

/** iommufd_ioas_iova_ranges(): the holes of the reserved ranges; EMSGSIZE (with num_iovas written) when they do not fit. */
export function iommufdIoasIovaRanges(k: Kernel, ictx: number, cmd: IommuIoasIovaRanges): Outcome {
  if (cmd.__reserved) return fail('iommufd_ioas_iova_ranges:reserved');
  const ioas = getIoas(k, ictx, cmd.ioas_id);
  if (!ioas) return fail('iommufd_get_ioas:not-found');
  const ranges = ioptIovaRanges(ioas);
  const out = {
    num_iovas: ranges.length,
    out_iova_alignment: ioptAlignment(k, ioas),
    allowed_iovas: ranges.slice(0, cmd.num_iovas).map((r) => ({ start: r.start, last: r.last })),
  };
  if (ranges.length > cmd.num_iovas) return fail('iommufd_ioas_iova_ranges:too-small', out);
  return done(k, 'iommufd_ioas_iova_ranges:ok', out);
}

/** iommufd_ioas_allow_iovas(): iommufd_ioas_load_iovas() then iopt_set_allow_iova(), atomically. */
export function iommufdIoasAllowIovas(k: Kernel, ictx: number, cmd: IommuIoasAllowIovas): Outcome {
  if (cmd.__reserved) return fail('iommufd_ioas_allow_iovas:reserved');
  const ioas = getIoas(k, ictx, cmd.ioas_id);
  if (!ioas) return fail('iommufd_get_ioas:not-found');
  if (cmd.num_iovas > cmd.allowed_iovas.length) {
    return notModelled(`IOMMU_IOAS_ALLOW_IOVAS num_iovas ${cmd.num_iovas} exceeds the ${cmd.allowed_iovas.length} ranges given (the kernel would read past them)`);
  }
  const loaded: IovaRange[] = [];
  for (const r of cmd.allowed_iovas.slice(0, cmd.num_iovas)) {
    if (r.start >= r.last) return fail('iommufd_ioas_load_iovas:start-not-below-last');
    if (loaded.some((x) => x.start <= r.last && x.last >= r.start)) return fail('iommufd_ioas_load_iovas:overlap');
    loaded.push({ start: r.start, last: r.last });
  }
  const next = ioptSetAllowIova(ioas, loaded);
  if (isFail(next)) return next;
  return done(putObject(k, ictx, next), 'iommufd_ioas_allow_iovas:ok');
}

/** The account mode of a new iopt_pages: NONE with CAP_IPC_LOCK, else USER, upgraded to MM by RLIMIT_MODE (iopt_map_common()). */
function newAccountMode(k: Kernel, ictx: number): 'none' | 'user' | 'mm' {
  if (k.process.capIpcLock) return 'none';
  return ctxOf(k, ictx).accountMode === 'mm' ? 'mm' : 'user';
}

/** iommufd_ioas_map(): map a user VA range (iopt_map_user_pages()). */
export function iommufdIoasMap(k: Kernel, ictx: number, cmd: IommuIoasMap): Outcome {
  if ((cmd.flags & ~MAP_FLAGS_ALL) || cmd.__reserved) return fail('iommufd_ioas_map:flags');
  if (cmd.iova >= ULONG_MAX || cmd.length >= ULONG_MAX) return fail('iommufd_ioas_map:overflow');
  if (!(cmd.flags & (IOAS_MAP_FLAGS.WRITEABLE | IOAS_MAP_FLAGS.READABLE))) return fail('iommufd_ioas_map:no-access');
  if (!getIoas(k, ictx, cmd.ioas_id)) return fail('iommufd_get_ioas:not-found');
  const prot = convIommuProt(cmd.flags);
  // iopt_alloc_user_pages() / iopt_alloc_pages()
  if (profileOf(k.profile).userPagesOverflowCheck && cmd.user_va + cmd.length > U64_MAX) return fail('iopt_alloc_user_pages:overflow');
  if (!pagesLengthOk(k, cmd.length)) return fail('iopt_alloc_pages:length');
  const startByte = cmd.user_va % k.pageSize;
  const uptr = cmd.user_va - startByte;
  const npages = Number((cmd.length + startByte + k.pageSize - 1n) / k.pageSize);
  const [k1, pagesId] = pagesInsert(k, ictx, {
    type: 'user', uptr, file: null, start: 0n, npages, writable: (prot & IOMMU_WRITE) !== 0, seals: 0,
    accountMode: newAccountMode(k, ictx), npinned: 0, pinned: [],
  });
  const r = ioptMapPages(k1, ictx, cmd.ioas_id, [{ pages: pagesId, startByte, length: cmd.length }], cmd.length, cmd.iova, prot,
    !(cmd.flags & IOAS_MAP_FLAGS.FIXED_IOVA));
  if (isFail(r)) return r;
  return done(r[0], 'iommufd_ioas_map:ok', { iova: r[1] });
}

/** iommufd_ioas_map_file(): map a range of a file (a memfd) (iopt_map_file_pages()). */
export function iommufdIoasMapFile(k: Kernel, ictx: number, cmd: IommuIoasMapFile): Outcome {
  if (cmd.flags & ~MAP_FLAGS_ALL) return fail('iommufd_ioas_map_file:flags');
  if (cmd.iova >= ULONG_MAX || cmd.length >= ULONG_MAX) return fail('iommufd_ioas_map_file:overflow');
  if (!(cmd.flags & (IOAS_MAP_FLAGS.WRITEABLE | IOAS_MAP_FLAGS.READABLE))) return fail('iommufd_ioas_map_file:no-access');
  if (!getIoas(k, ictx, cmd.ioas_id)) return fail('iommufd_get_ioas:not-found');
  const file = fdFile(k, cmd.fd);
  if (!file) return fail('iommufd_ioas_map_file:bad-fd');
  const prot = convIommuProt(cmd.flags);
  // iopt_alloc_file_pages(): the overflow check comes before iopt_alloc_pages()'s length check.
  if (cmd.length !== 0n && cmd.start + cmd.length - 1n > U64_MAX) return fail('iopt_alloc_file_pages:overflow');
  if (!pagesLengthOk(k, cmd.length)) return fail('iopt_alloc_pages:length');
  const startByte = cmd.start % k.pageSize;
  const start = cmd.start - startByte;
  const npages = Number((cmd.length + startByte + k.pageSize - 1n) / k.pageSize);
  const [k1, pagesId] = pagesInsert(fget(k, file.id), ictx, {
    type: 'file', uptr: 0n, file: file.id, start, npages, writable: (prot & IOMMU_WRITE) !== 0,
    seals: file.kind === 'memfd' ? file.seals : 0,
    accountMode: newAccountMode(k, ictx), npinned: 0, pinned: [],
  });
  const r = ioptMapPages(k1, ictx, cmd.ioas_id, [{ pages: pagesId, startByte, length: cmd.length }], cmd.length, cmd.iova, prot,
    !(cmd.flags & IOAS_MAP_FLAGS.FIXED_IOVA));
  if (isFail(r)) return r;
  return done(r[0], 'iommufd_ioas_map_file:ok', { iova: r[1] });
}

/** iommufd_ioas_copy(): iopt_get_pages() on the source, then iopt_map_pages() of the same iopt_pages at dst. */
export function iommufdIoasCopy(k: Kernel, ictx: number, cmd: IommuIoasCopy): Outcome {
  if (cmd.flags & ~MAP_FLAGS_ALL) return fail('iommufd_ioas_copy:flags');
  if (cmd.length >= ULONG_MAX || cmd.src_iova >= ULONG_MAX || cmd.dst_iova >= ULONG_MAX) return fail('iommufd_ioas_copy:overflow');
  if (!(cmd.flags & (IOAS_MAP_FLAGS.WRITEABLE | IOAS_MAP_FLAGS.READABLE))) return fail('iommufd_ioas_copy:no-access');
  const src = getIoas(k, ictx, cmd.src_ioas_id);
  if (!src) return fail('iommufd_get_ioas:not-found');
  const elms = ioptGetPages(src, cmd.src_iova, cmd.length);
  if (isFail(elms)) return elms;
  if (!getIoas(k, ictx, cmd.dst_ioas_id)) return fail('iommufd_get_ioas:not-found');
  let k1 = k;
  for (const e of elms) k1 = pagesGet(k1, ictx, e.pages);
  const r = ioptMapPages(k1, ictx, cmd.dst_ioas_id, elms, cmd.length, cmd.dst_iova, convIommuProt(cmd.flags),
    !(cmd.flags & IOAS_MAP_FLAGS.FIXED_IOVA));
  if (isFail(r)) return r;
  return done(r[0], 'iommufd_ioas_copy:ok', { dst_iova: r[1] });
}

/** iommufd_ioas_unmap(): unmap-all with iova 0 and length U64_MAX, else every area inside the range. */
export function iommufdIoasUnmap(k: Kernel, ictx: number, cmd: IommuIoasUnmap): Outcome {
  const ioas = getIoas(k, ictx, cmd.ioas_id);
  if (!ioas) return fail('iommufd_get_ioas:not-found');
  if (cmd.iova === 0n && cmd.length === U64_MAX) {
    // iopt_unmap_all() -> iopt_unmap_iova_range(): an IOAS made immutable by a live-update preserve is EBUSY.
    if (ioas.luImmutable) return fail('iopt_unmap_iova_range:lu-immutable');
    if (luHeldIoas(k, ictx, cmd.ioas_id)) return fail('iopt_unmap_iova_range:lu-held');
    const r = ioptUnmapAll(k, ictx, cmd.ioas_id);
    return done(r.k, 'iommufd_ioas_unmap:all-ok', { length: r.unmapped });
  }
  if (cmd.iova >= ULONG_MAX || cmd.length >= ULONG_MAX) return fail('iommufd_ioas_unmap:overflow');
  // iopt_unmap_iova()
  if (cmd.length === 0n) return fail('iopt_unmap_iova:length');
  const last = cmd.iova + cmd.length - 1n;
  if (last > ULONG_MAX) return fail('iopt_unmap_iova:overflow');
  const r = ioptUnmapIovaRange(k, ictx, cmd.ioas_id, cmd.iova, last);
  if (isFail(r)) return r;
  if (r.unmapped === 0n) return fail('iommufd_ioas_unmap:nothing-unmapped');
  return done(r.k, 'iommufd_ioas_unmap:ok', { length: r.unmapped });
}

/** iommufd_option() (main.c): RLIMIT_MODE on the context, HUGE_PAGES on an IOAS. val64 is written back on success. */
export function iommufdOption(k: Kernel, ictx: number, cmd: IommuOption): Outcome {
  if (cmd.__reserved) return fail('iommufd_option:reserved');
  if (cmd.option_id === IOMMU_OPTION_IDS.RLIMIT_MODE) return iommufdOptionRlimitMode(k, ictx, cmd);
  if (cmd.option_id === IOMMU_OPTION_IDS.HUGE_PAGES) return iommufdIoasOptionHugePages(k, ictx, cmd);
  return fail('iommufd_option:unknown-option');
}

/** iommufd_option_rlimit_mode(). */
function iommufdOptionRlimitMode(k: Kernel, ictx: number, cmd: IommuOption): Outcome {
  if (cmd.object_id) return fail('iommufd_option_rlimit_mode:object-id');
  const ctx = ctxOf(k, ictx);
  if (cmd.op === IOMMU_OPTION_OPS.GET) return done(k, 'iommufd_option_rlimit_mode:get-ok', { val64: ctx.accountMode === 'mm' ? 1n : 0n });
  if (cmd.op === IOMMU_OPTION_OPS.SET) {
    if (!k.process.capSysResource) return fail('iommufd_option_rlimit_mode:no-cap');
    if (ctx.objects.length > 0) return fail('iommufd_option_rlimit_mode:objects-exist');
    if (cmd.val64 !== 0n && cmd.val64 !== 1n) return fail('iommufd_option_rlimit_mode:bad-value');
    const k1 = withCtx(k, ictx, { ...ctx, accountMode: cmd.val64 === 1n ? 'mm' : 'user' });
    return done(k1, 'iommufd_option_rlimit_mode:set-ok', { val64: cmd.val64 });
  }
  return fail('iommufd_option_rlimit_mode:bad-op');
}

/** iommufd_ioas_option() + iommufd_ioas_option_huge_pages(). */
function iommufdIoasOptionHugePages(k: Kernel, ictx: number, cmd: IommuOption): Outcome {
  const ioas = getIoas(k, ictx, cmd.object_id);
  if (!ioas) return fail('iommufd_get_ioas:not-found');
  if (cmd.op === IOMMU_OPTION_OPS.GET) return done(k, 'iommufd_ioas_option_huge_pages:get-ok', { val64: ioas.disableLargePages ? 0n : 1n });
  if (cmd.op === IOMMU_OPTION_OPS.SET) {
    if (cmd.val64 === 0n) {
      const r = ioptDisableLargePages(k, ioas);
      if (isFail(r)) return r;
      return done(putObject(k, ictx, r), 'iopt_disable_large_pages:ok', { val64: 0n });
    }
    if (cmd.val64 === 1n) return done(putObject(k, ictx, { ...ioas, disableLargePages: false }), 'iopt_enable_large_pages:ok', { val64: 1n });
    return fail('iommufd_ioas_option_huge_pages:bad-value');
  }
  return fail('iommufd_ioas_option_huge_pages:bad-op');
}

/**
 * iommufd_ioas_destroy(): iopt_unmap_all() then iopt_destroy_table(), which drops the test-owned reserved ranges.
 * Domains cannot be left: each HWPT_PAGING holds the IOAS.
 */
export function iommufdIoasDestroy(k: Kernel, ictx: number, ioas: IoasObject): Kernel {
  // The object is already out of the table: put it back while its areas go, then take it out again.
  let k1 = putObject(k, ictx, ioas);
  k1 = ioptUnmapAll(k1, ictx, ioas.id).k;
  const left = ioptRemoveReserved(getIoas(k1, ictx, ioas.id) as IoasObject, 'test');
  if (left.reserved.length || left.domains.length || left.hwpts.length) throw new Error(`model bug: IOAS ${ioas.id} destroyed with domains`);
  const ctx = ctxOf(k1, ictx);
  return withCtx(k1, ictx, { ...ctx, objects: ctx.objects.filter((o) => o.id !== ioas.id) });
}


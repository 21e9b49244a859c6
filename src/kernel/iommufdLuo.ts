/**
 * iommufd live update (the Google series: SK-v1 10-11/14, <20260203220948.2176157-11/-12-skhawaja@google.com>, and
 * the restore path of samikhawaja/linux drivers/iommu/iommufd/liveupdate.c @039a2632): IOMMU_HWPT_LU_SET_PRESERVE,
 * the iommufd LUO handler, and IOMMU_HWPT_LU_RESTORE.
 *
 * - SET_PRESERVE marks a HWPT_PAGING with a token unique among the marked HWPTs of the iommufd (EADDRINUSE; the
 *   target itself is skipped, so marking it again with its token is fine); an id that is no HWPT_PAGING is ENOENT.
 * - Preserving the iommufd walks the marked HWPTs in id order: each one's IOAS is made immutable, then must hold
 *   only file-backed areas whose file had F_SEAL_SEAL|GROW|SHRINK when it was mapped (EINVAL) and whose file is
 *   preserved in the same session (ENOENT); any failure makes every IOAS mutable again. Then each domain's table
 *   pages are KHO-preserved (iommu_domain_preserve; a domain of the selftest mock, which is not a generic_pt
 *   format, is EOPNOTSUPP). Unpreserve undoes both.
 * - Retrieve (restore path) gives a new iommufd whose ictx->lu lists the preserved HWPTs and the domains the IOMMU
 *   restored from them at boot; SK-v1 as posted returns EOPNOTSUPP. can_finish: retrieved, every HWPT reclaimed,
 *   no device left (in hardware) on a restored domain; SK-v1: always false.
 * - RESTORE turns a token into a HWPT_PAGING around the restored domain, with no IOAS (ENOTTY on an iommufd that
 *   was not retrieved; ENOENT for an unknown or reclaimed token, or a HWPT whose domain no device brought back).
 */
import type { IommuHwptLuRestore, IommuHwptLuSetPreserve } from './uapi.ts';
import type { File, HwptPagingObject, IommufdFile, Kernel, LuoFile, LuoFileData, LuTranslation } from './types.ts';
import { profileOf } from './profiles.ts';
import { done, fail, NotModelledError, type Fail, type Outcome } from './outcome.ts';
import { ctxOf, getObject, nextObjectId, putObject, withCtx } from './main.ts';
import { domainById, domainTableFrames, domainTranslations } from './domain.ts';
import { addFile, fileById } from './files.ts';
import { pagesById } from './pages.ts';
import { khoPreserve, khoUnpreserve } from './kho.ts';
import { F_SEALS } from './uapi.ts';
import { mergeRuns } from './runs.ts';
import { preservedInSession } from './luo.ts';
import type { LuoHandler } from './luoHandler.ts';

/** The seals a mapped file must have had (check_iopt_pages_preserved: req_seals). */
const REQUIRED_SEALS = F_SEALS.SEAL | F_SEALS.GROW | F_SEALS.SHRINK;

type IommufdData = Extract<LuoFileData, { handler: 'iommufd' }>;

function iommufdData(lf: LuoFile): IommufdData {
  if (lf.data.handler !== 'iommufd') throw new Error('model bug: not an iommufd LUO file');
  return lf.data;
}

/** IOMMU_HWPT_LU_SET_PRESERVE: iommufd_hwpt_lu_set_preserve() (SK-v1 10/14). */
export function iommufdHwptLuSetPreserve(k: Kernel, ictx: number, cmd: IommuHwptLuSetPreserve): Outcome {
  const target = getObject(k, ictx, cmd.hwpt_id);
  if (!target || target.type !== 'HWPT_PAGING') return fail('iommufd_get_hwpt_paging:not-found');
  const clash = ctxOf(k, ictx).objects.some((o) => o.type === 'HWPT_PAGING' && o.id !== target.id && o.luToken === cmd.hwpt_token);
  if (clash) return fail('iommufd_hwpt_lu_set_preserve:token-in-use');
  return done(putObject(k, ictx, { ...target, luToken: cmd.hwpt_token }), 'iommufd_hwpt_lu_set_preserve:ok');
}

/** The merged translations of a domain, for the history. */
export function domainRuns(k: Kernel, domain: number): LuTranslation[] {
  return mergeRuns(domainTranslations(k, domain));
}

/** check_iopt_pages_preserved(): every area of the HWPT's IOAS file-backed, sealed at map time, preserved in `session`. */
function checkIoptPagesPreserved(k: Kernel, ictx: number, session: string, hwpt: HwptPagingObject): Fail | null {
  if (hwpt.ioas === null) return null;
  const ctx = ctxOf(k, ictx);
  const ioas = ctx.objects.find((o) => o.id === hwpt.ioas);
  if (!ioas || ioas.type !== 'IOAS') throw new Error('model bug: HWPT without its IOAS');
  for (const a of ioas.areas) {
    const p = pagesById(ctx, a.pages);
    if (p.type !== 'file' || p.file === null) return fail('check_iopt_pages_preserved:not-file');
    if ((p.seals & REQUIRED_SEALS) !== REQUIRED_SEALS) return fail('check_iopt_pages_preserved:not-sealed');
    if (!preservedInSession(k, session, p.file)) return fail('check_iopt_pages_preserved:file-not-preserved');
  }
  return null;
}

/** Sets lu_map_immutable on every IOAS of context `ictx` that `pick` selects, clears it on the others. */
function setImmutable(k: Kernel, ictx: number, pick: (ioasId: number) => boolean): Kernel {
  const ctx = ctxOf(k, ictx);
  const objects = ctx.objects.map((o) => (o.type === 'IOAS' && o.luImmutable !== pick(o.id) ? { ...o, luImmutable: pick(o.id) } : o));
  return withCtx(k, ictx, { ...ctx, objects });
}

/** The iommufd handler. */
export const IOMMUFD_LUO: LuoHandler = {
  name: 'iommufd',

  canPreserve: (f: File) => f.kind === 'iommufd',

  preserve(k, session, f) {
    const ictx = f.id;
    const marked = ctxOf(k, ictx).objects.filter((o): o is HwptPagingObject => o.type === 'HWPT_PAGING' && o.luToken !== null);
    // iommufd_save_hwpts(ictx, NULL, session): the checks; an error leaves every IOAS mutable (the input kernel).
    for (const h of marked) {
      if (h.ioas === null) {
        // A restored HWPT marked again for a second live update: the series dereferences hwpt->ioas (NULL).
        throw new NotModelledError(`preserving iommufd with restored HWPT ${h.id} marked (it has no IOAS)`);
      }
      const r = checkIoptPagesPreserved(k, ictx, session, h);
      if (r) return r;
      if (domainById(k, h.domain).driver === 'mock') return fail('iommu_domain_preserve:not-generic-pt');
    }
    const ioasIds = new Set(marked.map((h) => h.ioas));
    let k1 = setImmutable(k, ictx, (id) => ioasIds.has(id));
    const hwpts: IommufdData['hwpts'] = [];
    const records: Kernel['history']['domains'] = [];
    for (const h of marked) {
      const tables = domainTableFrames(k1, h.domain);
      k1 = khoPreserve(k1, tables);
      hwpts.push({ token: h.luToken as bigint, domain: h.domain, tables, reclaimed: false });
      records.push({ session, hwptToken: h.luToken as bigint, domain: h.domain, translations: domainRuns(k1, h.domain) });
    }
    const domains = [...k1.history.domains, ...records].sort((a, b) => (a.session < b.session ? -1 : a.session > b.session ? 1 : a.hwptToken < b.hwptToken ? -1 : a.hwptToken > b.hwptToken ? 1 : 0));
    k1 = { ...k1, history: { ...k1.history, domains } };
    return [k1, { handler: 'iommufd', hwpts }];
  },

  unpreserve(k, session, lf) {
    const d = iommufdData(lf);
    let k1 = k;
    for (const h of d.hwpts) k1 = khoUnpreserve(k1, h.tables);
    if (lf.file !== null) k1 = setImmutable(k1, lf.file, () => false);
    const tokens = new Set(d.hwpts.map((h) => h.token));
    const domains = k1.history.domains.filter((r) => !(r.session === session && tokens.has(r.hwptToken)));
    return { ...k1, history: { ...k1.history, domains } };
  },

  retrieve(k, _session, lf) {
    if (!profileOf(k.profile).liveUpdate.iommufd?.restore) return fail('iommufd_liveupdate_retrieve:not-supported');
    const d = iommufdData(lf);
    // Reclaimed already when there is nothing to reclaim (hardening patch lu-finish-unrestored, set at boot).
    const lu = d.hwpts.map((h) => ({ token: h.token, domain: h.domain, reclaimed: h.reclaimed }));
    return addFile(k, { kind: 'iommufd', id: 0, refs: 0, ctx: { accountMode: 'user', objects: [], pages: [], lu } });
  },

  canFinish(k, _session, lf) {
    if (!profileOf(k.profile).liveUpdate.iommufd?.restore) return false;
    if (!lf.retrieved || lf.file === null) return false;
    const ctx = (fileById(k, lf.file) as IommufdFile).ctx;
    if (!ctx.lu || ctx.lu.some((h) => !h.reclaimed)) return false;
    for (const o of ctx.objects) {
      if (o.type !== 'HWPT_PAGING' || !o.luRestored) continue;
      if (k.hw.some((h) => h.domain === o.domain)) return false;
    }
    return true;
  },

  finish(k, _session, lf) {
    if (lf.file === null) return k;
    const f = fileById(k, lf.file) as IommufdFile;
    return withCtx(k, f.id, { ...f.ctx, lu: null });
  },
};

/** IOMMU_HWPT_LU_RESTORE: iommufd_hwpt_lu_restore() (samikhawaja/linux @039a2632). */
export function iommufdHwptLuRestore(k: Kernel, ictx: number, cmd: IommuHwptLuRestore): Outcome {
  const ctx = ctxOf(k, ictx);
  if (!ctx.lu) return fail('iommufd_hwpt_lu_restore:not-retrieved');
  const at = ctx.lu.findIndex((h) => !h.reclaimed && h.token === cmd.hwpt_token);
  const entry = ctx.lu[at];
  if (!entry) return fail('iommufd_hwpt_lu_restore:no-token');
  if (entry.domain === null) return fail('iommufd_hwpt_lu_restore:no-domain');
  const id = nextObjectId(k, ictx);
  const hwpt: HwptPagingObject = {
    id, type: 'HWPT_PAGING', users: 1, ioas: null, domain: entry.domain, autoDomain: false, nestParent: false,
    luToken: null, luRestored: true,
  };
  const lu = ctx.lu.map((h, i) => (i === at ? { ...h, reclaimed: true } : h));
  const k1 = withCtx(k, ictx, { ...ctx, lu });
  return done(putObject(k1, ictx, hwpt), 'iommufd_hwpt_lu_restore:ok', { pt_id: id });
}

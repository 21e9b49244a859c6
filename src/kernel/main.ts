/**
 * The iommufd context and its object table (drivers/iommu/iommufd/main.c): one id space for every object type,
 * ids handed out lowest free first from 1 (xa_alloc with XA_FLAGS_ALLOC1, so a destroyed object's id comes back),
 * `users` counting the xarray's reference plus one per holder, IOMMU_DESTROY and the release of the whole context.
 *
 * Who holds whom (each adds one to the held object's `users`):
 *   HWPT_PAGING -> its IOAS;  HWPT_NESTED -> its parent HWPT_PAGING;  an attached DEVICE -> its HWPT;
 *   the VFIO driver while bound -> the DEVICE;  an attachment -> the DEVICE (iommufd_device_attach()).
 */
import type { IommuDestroy } from './uapi.ts';
import type { IommufdCtx, IommufdFile, IommufdObject, IoasObject, Kernel } from './types.ts';
import { fileById, putFile } from './files.ts';
import { done, fail, type Outcome } from './outcome.ts';
import { iommufdIoasDestroy } from './ioas.ts';
import { iommufdHwptNestedDestroy, iommufdHwptPagingDestroy } from './hwpt.ts';
import { iommufdDeviceDestroy } from './device.ts';

/** The iommufd_ctx of iommufd file `ictx`. */
export function ctxOf(k: Kernel, ictx: number): IommufdCtx {
  const f = fileById(k, ictx);
  if (f.kind !== 'iommufd') throw new Error(`model bug: file ${ictx} is not an iommufd`);
  return f.ctx;
}

/** Replaces the context of iommufd file `ictx`. */
export function withCtx(k: Kernel, ictx: number, ctx: IommufdCtx): Kernel {
  const f = fileById(k, ictx) as IommufdFile;
  return putFile(k, { ...f, ctx });
}

/** iommufd_get_object(id, ANY): the live object with this id, if any (0 is never an id). */
export function getObject(k: Kernel, ictx: number, id: number): IommufdObject | undefined {
  return ctxOf(k, ictx).objects.find((o) => o.id === id);
}

/** iommufd_get_ioas(). */
export function getIoas(k: Kernel, ictx: number, id: number): IoasObject | undefined {
  const o = getObject(k, ictx, id);
  return o?.type === 'IOAS' ? o : undefined;
}

/** The object `id`, which must exist and have type `T` (a model bug otherwise). */
export function objectOf<T extends IommufdObject['type']>(k: Kernel, ictx: number, id: number, type: T): Extract<IommufdObject, { type: T }> {
  const o = getObject(k, ictx, id);
  if (!o || o.type !== type) throw new Error(`model bug: object ${id} is not ${type}`);
  return o as Extract<IommufdObject, { type: T }>;
}

/** Replaces (or inserts, keeping id order) object `o.id`. */
export function putObject(k: Kernel, ictx: number, o: IommufdObject): Kernel {
  const ctx = ctxOf(k, ictx);
  const at = ctx.objects.findIndex((x) => x.id === o.id);
  const objects = ctx.objects.slice();
  if (at >= 0) objects[at] = o;
  else {
    objects.push(o);
    objects.sort((a, b) => a.id - b.id);
  }
  return withCtx(k, ictx, { ...ctx, objects });
}

/** The id _iommufd_object_alloc() would reserve now: the lowest free id from 1. */
export function nextObjectId(k: Kernel, ictx: number): number {
  let id = 1;
  for (const o of ctxOf(k, ictx).objects) {
    if (o.id !== id) break;
    id++;
  }
  return id;
}

/** Adds `delta` to object `id`'s users (refcount_inc / refcount_dec). */
export function addUsers(k: Kernel, ictx: number, id: number, delta: number): Kernel {
  const o = getObject(k, ictx, id);
  if (!o) throw new Error(`model bug: no object ${id}`);
  if (o.users + delta < 1) throw new Error(`model bug: object ${id} users below 1`);
  return putObject(k, ictx, { ...o, users: o.users + delta });
}

function removeFromTable(k: Kernel, ictx: number, id: number): Kernel {
  const ctx = ctxOf(k, ictx);
  return withCtx(k, ictx, { ...ctx, objects: ctx.objects.filter((o) => o.id !== id) });
}

/** Runs the type's destroy op (iommufd_object_ops[type].destroy) on an object already out of the table. */
function objectDestroy(k: Kernel, ictx: number, o: IommufdObject): Kernel {
  switch (o.type) {
    case 'IOAS':
      return iommufdIoasDestroy(k, ictx, o);
    case 'HWPT_PAGING':
      return iommufdHwptPagingDestroy(k, ictx, o);
    case 'HWPT_NESTED':
      return iommufdHwptNestedDestroy(k, ictx, o);
    case 'DEVICE':
      return iommufdDeviceDestroy(k, ictx, o);
  }
}

/**
 * iommufd_object_remove(ictx, NULL, id): removes object `id` when the xarray holds its only reference.
 * Used by IOMMU_DESTROY, and with `callerRef` (the caller's own reference is dropped first, as
 * iommufd_object_destroy_user() and iommufd_object_put_and_try_destroy() do).
 */
export function objectRemove(k: Kernel, ictx: number, id: number, callerRef: boolean): Kernel | 'ENOENT' | 'EBUSY' {
  let o = getObject(k, ictx, id);
  if (!o) return 'ENOENT';
  let k1 = k;
  if (callerRef) {
    k1 = putObject(k1, ictx, { ...o, users: o.users - 1 });
    o = { ...o, users: o.users - 1 };
  }
  if (o.users !== 1) return callerRef ? k1 : 'EBUSY';
  return objectDestroy(removeFromTable(k1, ictx, id), ictx, o);
}

/** IOMMU_DESTROY: iommufd_destroy() -> iommufd_object_remove(). */
export function iommufdDestroy(k: Kernel, ictx: number, cmd: IommuDestroy): Outcome {
  const r = objectRemove(k, ictx, cmd.id, false);
  if (r === 'ENOENT') return fail('iommufd_object_remove:not-found');
  if (r === 'EBUSY') return fail('iommufd_object_remove:busy');
  return done(r, 'iommufd_destroy:ok');
}

/**
 * iommufd_fops_release(): destroys every object whose only user is the xarray, in id order, pass after pass
 * (destroying a leaf drops its holders' users) until none is left.
 */
export function iommufdFopsRelease(k: Kernel, ictx: number): Kernel {
  let k1 = k;
  while (ctxOf(k1, ictx).objects.length > 0) {
    let destroyed = 0;
    let after = 0;
    for (;;) {
      const o = ctxOf(k1, ictx).objects.find((x) => x.id > after);
      if (!o) break;
      after = o.id;
      if (o.users !== 1) continue;
      k1 = objectDestroy(removeFromTable(k1, ictx, o.id), ictx, o);
      destroyed++;
    }
    if (destroyed === 0) throw new Error('model bug: iommufd release cannot make progress (users refcount)');
  }
  return k1;
}

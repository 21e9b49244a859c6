/**
 * `refcount-destroy`: IOMMU_DESTROY succeeds exactly when no other object depends on the target.
 *
 * domain.md §F I4: "DESTROY(x) succeeds iff users(x)==1; users(x) = 1 + #edges into x (table B.1)" [MAIN; HWPT; ST];
 * §B.2: unknown or zero id → ENOENT, anyone else holding it → EBUSY. Two checks:
 * - after every step, each object's `users` counter equals 1 + the holders found in the state (HWPTs on an IOAS,
 *   nested HWPTs on a parent, devices attached to a HWPT, the VFIO driver on a bound DEVICE, an attachment on its
 *   DEVICE), so the kernel's refcount_dec_if_one() decides as the dependency graph does;
 * - an IOMMU_DESTROY's result is the one the dependency graph of the state before it dictates.
 */
import type { IommufdCtx, Kernel, Syscall, SyscallResult } from '../kernel/index.ts';
import type { StepInvariant, Violation } from './types.ts';

/** The holders of object `id` found in the state (not counting the xarray's own reference). */
export function holdersOf(k: Kernel, file: number, ctx: IommufdCtx, id: number): string[] {
  const out: string[] = [];
  for (const o of ctx.objects) {
    if (o.type === 'HWPT_PAGING' && o.ioas === id) out.push(`HWPT_PAGING ${o.id}`);
    if (o.type === 'HWPT_NESTED' && o.parent === id) out.push(`HWPT_NESTED ${o.id}`);
    if (o.type === 'DEVICE' && o.hwpt === id) out.push(`DEVICE ${o.id}`);
    if (o.type === 'DEVICE' && o.id === id) {
      if (k.files.some((f) => f.kind === 'vfio' && f.bound?.iommufd === file && f.bound.devid === id)) out.push('its VFIO driver');
      if (o.hwpt !== null) out.push('its attachment');
    }
  }
  return out;
}

function ctxOfFd(k: Kernel, fd: number): { file: number; ctx: IommufdCtx } | undefined {
  const e = k.process.fds.find((x) => x.fd === fd);
  const f = e ? k.files.find((x) => x.id === e.file) : undefined;
  return f?.kind === 'iommufd' ? { file: f.id, ctx: f.ctx } : undefined;
}

function checkCounters(k: Kernel): Violation | undefined {
  for (const f of k.files) {
    if (f.kind !== 'iommufd') continue;
    for (const o of f.ctx.objects) {
      const holders = holdersOf(k, f.id, f.ctx, o.id);
      if (o.users !== 1 + holders.length) {
        return v(`iommufd ${f.id} ${o.type} ${o.id}: users is ${o.users} but it is held by ${holders.length ? holders.join(', ') : 'nothing'} (expected ${1 + holders.length})`);
      }
    }
  }
  return undefined;
}

function check(before: Kernel, call: Syscall, result: SyscallResult<Kernel>): Violation | undefined {
  if (call.op === 'IOMMU_DESTROY') {
    const c = ctxOfFd(before, call.fd);
    if (c) {
      const target = c.ctx.objects.find((o) => o.id === call.arg.id);
      const holders = target ? holdersOf(before, c.file, c.ctx, target.id) : [];
      const expected = !target ? 'ENOENT' : holders.length ? 'EBUSY' : 'ok';
      const got = result.ok ? 'ok' : 'errno' in result ? result.errno : 'not modelled';
      if (got !== expected) {
        const why = !target ? 'no object has this id' : holders.length ? `it is held by ${holders.join(', ')}` : 'nothing holds it';
        return v(`IOMMU_DESTROY of id ${call.arg.id} returned ${got} but ${why}: expected ${expected}`);
      }
      if (result.ok && result.kernel.files.some((f) => f.id === c.file && f.kind === 'iommufd' && f.ctx.objects.some((o) => o.id === call.arg.id))) {
        return v(`IOMMU_DESTROY of id ${call.arg.id} succeeded but the object is still in the table`);
      }
    }
  }
  const after = result.ok ? result.kernel : 'kernel' in result ? result.kernel : undefined;
  if (after && after !== before) return checkCounters(after);
  return undefined;
}

function v(message: string): Violation {
  return { invariant: 'refcount-destroy', message };
}

/** The invariant, for the registry. */
export const refcountDestroy: StepInvariant = { name: 'refcount-destroy', kind: 'step', source: 'domain.md §F I4, §B.2', check };

/** The users cross-check alone, for checking a state with no step (registry.ts checkState). */
export const refcountCounters = checkCounters;

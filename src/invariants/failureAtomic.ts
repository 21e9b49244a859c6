/**
 * `failure-atomic`: a failed ioctl changes nothing (UNMAP partiality as the kernel defines it).
 *
 * domain.md §F I6: "a failing MAP/COPY/ALLOW_IOVAS/OPTION/CHANGE_PROCESS leaves areas, domains, allowed list,
 * accounting unchanged. [IOPT 'On failure all domains are left unchanged'] (UNMAP may be partial.)"; §A.3 IOAS_UNMAP:
 * "areas already removed before the failing area stay removed". A failed result may carry a kernel only when it is an
 * IOMMU_IOAS_UNMAP that removed, in IOVA order, the areas wholly inside its range that come before the first area
 * sticking out of it, and changed nothing else in the object table. A "not modelled" refusal carries no kernel.
 */
import { U64_MAX, type IoasObject, type Kernel, type Syscall, type SyscallResult } from '../kernel/index.ts';
import type { StepInvariant, Violation } from './types.ts';
import { deepEqual } from './deepEqual.ts';

const hex = (v: bigint): string => `0x${v.toString(16)}`;

function checkPartialUnmap(before: Kernel, call: Syscall, after: Kernel): string | undefined {
  if (call.op !== 'IOMMU_IOAS_UNMAP') return `a failed ${call.op} returned a changed kernel (only IOMMU_IOAS_UNMAP may fail part way)`;
  const { ioas_id, iova, length } = call.arg;
  if (length === 0n || (iova === 0n && length === U64_MAX)) return 'a partial IOMMU_IOAS_UNMAP must have a non-empty range other than unmap-all';
  const last = iova + length - 1n;
  const fdEntry = before.process.fds.find((x) => x.fd === call.fd);
  const fileB = before.files.find((f) => f.id === fdEntry?.file);
  const fileA = after.files.find((f) => f.id === fdEntry?.file);
  if (fileB?.kind !== 'iommufd' || fileA?.kind !== 'iommufd') return 'a partial IOMMU_IOAS_UNMAP must be on an iommufd';
  const ioasB = fileB.ctx.objects.find((o): o is IoasObject => o.type === 'IOAS' && o.id === ioas_id);
  const ioasA = fileA.ctx.objects.find((o): o is IoasObject => o.type === 'IOAS' && o.id === ioas_id);
  if (!ioasB || !ioasA) return `IOAS ${ioas_id} must exist before and after a partial unmap`;
  const hit = ioasB.areas.filter((a) => a.iova <= last && a.last >= iova);
  const stop = hit.findIndex((a) => a.iova < iova || a.last > last);
  if (stop <= 0) return `a partial unmap of [${hex(iova)}, ${hex(last)}] needs a fully covered area before the first one sticking out`;
  const removed = hit.slice(0, stop);
  const expected = ioasB.areas.filter((a) => !removed.includes(a));
  if (!deepEqual(expected, ioasA.areas)) return `IOAS ${ioas_id} kept other areas than the ones before the first area sticking out of [${hex(iova)}, ${hex(last)}]`;
  if (!deepEqual({ ...ioasB, areas: [] }, { ...ioasA, areas: [] })) return `IOAS ${ioas_id} changed beyond its areas`;
  const others = (ctx: typeof fileB.ctx): unknown[] => ctx.objects.filter((o) => o.id !== ioas_id);
  if (!deepEqual(others(fileB.ctx), others(fileA.ctx))) return 'objects other than the IOAS changed';
  return undefined;
}

function check(before: Kernel, call: Syscall, result: SyscallResult<Kernel>): Violation | undefined {
  if (result.ok) return undefined;
  if ('notModelled' in result) {
    if ('kernel' in result) return v(`a ${call.op} refused as not modelled returned a kernel`);
    return undefined;
  }
  // A KEXEC whose new kernel panicked: there is no kernel after it, so nothing to compare.
  if ('panic' in result) return undefined;
  if (result.kernel === undefined || result.kernel === before) {
    if (result.partial) return v(`a failed ${call.op} says partial but carries no changed kernel`);
    return undefined;
  }
  if (!result.partial) {
    if (deepEqual(before, result.kernel)) return undefined;
    return v(`a failed ${call.op} (${result.errno}) changed the kernel without being a partial unmap`);
  }
  const why = checkPartialUnmap(before, call, result.kernel);
  return why ? v(why) : undefined;
}

function v(message: string): Violation {
  return { invariant: 'failure-atomic', message };
}

/** The invariant, for the registry. */
export const failureAtomic: StepInvariant = { name: 'failure-atomic', kind: 'step', source: 'domain.md §F I6, §A.3 IOAS_UNMAP', check };

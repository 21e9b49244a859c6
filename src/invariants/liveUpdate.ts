/**
 * What the live-update invariants share: the kernel a step leaves, the memory of a kexec window, the hardware walk of
 * a device against the translations it must keep, and the "newly broken" rule.
 *
 * Newly broken: a live-update invariant is a property of the state, but it is reported at the step that breaks it,
 * not again at every later step while it stays broken (a device that lost its translation at a kexec stays without
 * one until something changes). So a state check is run on the kernel after the step and, only when it fails, on the
 * kernel before it: the same finding there means it is not new.
 */
import {
  frameName, hwTranslate, type Frame, type HwPageTable, type Kernel, type LuTranslation, type SyscallResult,
} from '../kernel/index.ts';

/** The kernel a step leaves: its result's kernel on success or partial failure, else the kernel before it. */
export function afterOf(before: Kernel, result: SyscallResult<Kernel>): Kernel {
  if (result.ok) return result.kernel;
  if ('kernel' in result && result.kernel) return result.kernel;
  return before;
}

/** `0x...` */
export const hex = (v: bigint): string => `0x${v.toString(16)}`;

/**
 * Memory during a kexec window, after the new kernel's early boot and before its IOMMU init: what the new kernel
 * wrote (reserved, restored, or reused for its own data) where it wrote, the old content everywhere else (a freed
 * frame keeps its bytes until someone reuses it).
 */
export function windowFrames(before: Kernel, after: Kernel): (Frame | null)[] {
  const n = Math.max(before.frames.length, after.frames.length);
  const out: (Frame | null)[] = new Array<Frame | null>(n);
  for (let pfn = 0; pfn < n; pfn++) out[pfn] = after.frames[pfn] ?? before.frames[pfn] ?? null;
  return out;
}

/**
 * The first page of `runs` that the hardware walk of `pt` in `frames` does not translate exactly (same physical
 * address, same prot), described; undefined when every page is. A null `pt` translates nothing.
 */
export function firstMismatch(frames: readonly (Frame | null)[], pt: HwPageTable | null, runs: readonly LuTranslation[], pageSize: bigint): string | undefined {
  for (const r of runs) {
    for (let off = 0n; off < r.size; off += pageSize) {
      const iova = r.iova + off;
      const want = `${hex(r.phys + off)} (${frameName(frames, Number((r.phys + off) / pageSize))}) prot ${r.prot}`;
      if (pt === null) return `at iova ${hex(iova)} it must reach ${want} but it has no translation (blocked or default domain)`;
      const w = hwTranslate(frames, pt, iova);
      if (w.kind === 'garbage') return `at iova ${hex(iova)} it must reach ${want} but its walk reads frame ${w.pfn} (${frameName(frames, w.pfn)}), which is no page table`;
      if (w.kind === 'none') return `at iova ${hex(iova)} it must reach ${want} but the page table has no translation`;
      if (w.phys !== r.phys + off || w.prot !== r.prot) {
        return `at iova ${hex(iova)} it must reach ${want} but reaches ${hex(w.phys)} (${frameName(frames, Number(w.phys / pageSize))}) prot ${w.prot}`;
      }
    }
  }
  return undefined;
}

/** Runs `state` on the kernel after a step and, when it fails there, on the kernel before: the finding if it is new. */
export function newlyBroken(before: Kernel, after: Kernel, state: (k: Kernel) => string | undefined): string | undefined {
  const now = state(after);
  if (now === undefined) return undefined;
  return state(before) === now ? undefined : now;
}

/** The page-sized memory name of a frame label: `guest` for `guest:3`. */
export function memoryName(label: string): string {
  const at = label.lastIndexOf(':');
  return at < 0 ? label : label.slice(0, at);
}

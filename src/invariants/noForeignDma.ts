/**
 * `no-foreign-dma`: a device only ever reaches frames of the memory its owner mapped for it.
 *
 * domain.md §F I8-I10 and §E: a mapping that still points at a frame the new kernel reused reaches someone else's
 * data; an incompatible KHO ABI lets "their target pages and page-table pages ... be reallocated by the new kernel".
 * The memory a device's owner mapped for it is, by name (a frame's label names its memfd or buffer and page): the
 * memory of every page the iommufd the device is bound to has pinned, and, for a device in a live update, the memory
 * it had at preserve time. Every leaf of the hardware walk of the device's page table must reach a data frame of
 * that memory: not a page table, not the kernel's own data, not a free frame, not another memfd or buffer.
 * Checked after every step on the hardware state (reported when newly broken) and, at a KEXEC, in the window between
 * the new kernel's early allocations and its IOMMU init. In the trace's first kernel with no live update under way
 * it is implied by domain-matches-areas and pin-accounting, and skipped.
 */
import { hwLeaves, iommufdContexts, type Frame, type HwDevice, type Kernel, type Syscall, type SyscallResult } from '../kernel/index.ts';
import type { StepInvariant, Violation } from './types.ts';
import { afterOf, hex, memoryName, newlyBroken, windowFrames } from './liveUpdate.ts';

/** The memory names device `hw.device`'s owner mapped for it, in kernel `k`. */
function allowedMemory(k: Kernel, device: string): Set<string> {
  const names = new Set<string>();
  for (const r of k.history.devices) {
    if (r.device !== device) continue;
    for (const t of r.translations) {
      for (let off = 0n; off < t.size; off += k.pageSize) {
        const f = k.frames[Number((t.phys + off) / k.pageSize)];
        if (f) names.add(memoryName(f.label));
      }
    }
  }
  for (const { ctx } of iommufdContexts(k)) {
    if (!ctx.objects.some((o) => o.type === 'DEVICE' && o.device === device)) continue;
    for (const p of ctx.pages) for (const x of p.pinned) {
      const f = k.frames[x.pfn];
      if (f) names.add(memoryName(f.label));
    }
  }
  return names;
}

const DATA = new Set(['memfd', 'buffer', 'detached', 'incoming']);

/** The first foreign frame `hw`'s walk reaches in `frames`, described; `allowed` from the kernel owning the device. */
function foreign(frames: readonly (Frame | null)[], hw: HwDevice, allowed: ReadonlySet<string>, pageSize: bigint): string | undefined {
  if (hw.pt === null) return undefined;
  const { leaves } = hwLeaves(frames, hw.pt);
  for (const l of leaves) {
    for (let off = 0n; off < l.size; off += pageSize) {
      const pfn = Number((l.phys + off) / pageSize);
      const f = frames[pfn];
      const what = f ? f.label : `free frame ${pfn}`;
      if (!f) return `device ${hw.device}: iova ${hex(l.iova + off)} reaches ${what}`;
      const name = memoryName(f.label);
      if (!DATA.has(f.owner.kind) || f.label.startsWith('pt:') || f.label.startsWith('kernel:') || !allowed.has(name)) {
        return `device ${hw.device}: iova ${hex(l.iova + off)} reaches frame ${pfn} (${what}), which is not memory its owner mapped for it`;
      }
    }
  }
  return undefined;
}

/**
 * The first foreign DMA any device can do in `k`, described. In the trace's first kernel with no live update under
 * way every device walks a domain of an IOAS, which maps only pinned pages of its own iopt_pages
 * (domain-matches-areas, pin-accounting): nothing to look for there.
 */
export function foreignState(k: Kernel): string | undefined {
  if (k.kho.boot === 'cold' && k.history.devices.length === 0) return undefined;
  for (const hw of k.hw) {
    if (hw.pt === null) continue;
    const m = foreign(k.frames, hw, allowedMemory(k, hw.device), k.pageSize);
    if (m) return m;
  }
  return undefined;
}

function v(message: string): Violation {
  return { invariant: 'no-foreign-dma', message };
}

function check(before: Kernel, call: Syscall, result: SyscallResult<Kernel>): Violation | undefined {
  const after = afterOf(before, result);
  if (after === before) return undefined;
  if (call.op === 'KEXEC') {
    const window = windowFrames(before, after);
    for (const hw of before.hw) {
      if (hw.pt === null) continue;
      const m = foreign(window, hw, allowedMemory(before, hw.device), before.pageSize);
      if (m) return v(`during the kexec (before the new kernel's IOMMU init), ${m}`);
    }
  }
  const m = newlyBroken(before, after, foreignState);
  return m === undefined ? undefined : v(m);
}

/** The invariant, for the registry. */
export const noForeignDma: StepInvariant = {
  name: 'no-foreign-dma', kind: 'step', source: 'domain.md §F I8-I10, §E', check,
  state: (k) => { const m = foreignState(k); return m === undefined ? undefined : v(m); },
};

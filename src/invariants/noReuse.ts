/**
 * `no-reuse`: the new kernel never hands out a preserved frame before it is restored, and restores it once.
 *
 * domain.md §F I9: "every page in P is memblock-reserved before the new kernel's allocator runs and is handed out
 * only via a single successful kho_restore_*; scratch ∩ P = ∅" [KHO-C deserialize_bitmap, kho_restore_page]; §E:
 * an incompatible KHO ABI disables revival and reserves nothing, so preserved pages "can then be reallocated by the
 * new kernel". Two checks:
 * - at a KEXEC that boots: every frame the old kernel preserved is, in the new kernel, still reserved (`incoming`,
 *   its content kept) or restored by the IOMMU at boot with its content; anything else (free, or the new kernel's
 *   own data) means it was not reserved;
 * - at any other step: a reserved frame keeps its label and stays `incoming` until it leaves the reserved set, and
 *   a frame that leaves it keeps its label (restored to its owner) or is freed (a restored page put, as memfd_luo
 *   does for a file nobody retrieved); a reserved frame never turns into someone else's page.
 */
import type { Kernel, Syscall, SyscallResult } from '../kernel/index.ts';
import type { StepInvariant, Violation } from './types.ts';
import { afterOf } from './liveUpdate.ts';

function v(message: string): Violation {
  return { invariant: 'no-reuse', message };
}

function checkKexec(before: Kernel, after: Kernel): Violation | undefined {
  for (const pfn of before.kho.preserved) {
    const was = before.frames[pfn];
    const now = after.frames[pfn];
    if (!was) continue;
    if (now && now.label === was.label && (now.owner.kind === 'incoming' || now.owner.kind === 'pagetable')) continue;
    const how = after.kho.boot === 'kho' ? 'KHO accepted the handover' : after.kho.boot === 'revival-disabled' ? 'KHO revival was disabled (incompatible KHO ABI)' : 'the new kernel has no KHO';
    return v(`frame ${pfn} (${was.label}) was preserved but ${now ? `the new kernel handed it out as ${now.label}` : 'the new kernel left it free for anyone'} (${how})`);
  }
  return undefined;
}

function check(before: Kernel, call: Syscall, result: SyscallResult<Kernel>): Violation | undefined {
  const after = afterOf(before, result);
  if (after === before) return undefined;
  if (call.op === 'KEXEC') return checkKexec(before, after);
  if (before.kho.incoming.length === 0 || after.frames === before.frames) return undefined;
  const reserved = new Set(after.kho.incoming);
  for (const pfn of before.kho.incoming) {
    const was = before.frames[pfn];
    const now = after.frames[pfn];
    if (!was) return v(`reserved frame ${pfn} is free`);
    const still = reserved.has(pfn);
    if (still) {
      if (!now || now.owner.kind !== 'incoming' || now.label !== was.label) return v(`reserved frame ${pfn} (${was.label}) was handed out as ${now ? now.label : 'free memory'} before it was restored`);
    } else if (now && now.label !== was.label) {
      return v(`preserved frame ${pfn} (${was.label}) was restored as someone else's page ${now.label}`);
    }
  }
  return undefined;
}

/** The invariant, for the registry. */
export const noReuse: StepInvariant = { name: 'no-reuse', kind: 'step', source: 'domain.md §F I9, §E', check };

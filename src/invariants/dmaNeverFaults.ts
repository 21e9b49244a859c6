/**
 * `dma-never-faults`: a device doing DMA through the kexec never sees a missing or different translation.
 *
 * domain.md §F I10: "device→domain attachment persists across kexec ... no moment where a preserved device is
 * attached to blocked/identity/other domain" [SK-v1 cover; Gowans "must be hitless ... must not cause any DMA
 * faults"]; I12 (replace between different translation sizes on break-before-make hardware) [G-THR 7/9 Oct; SK-RPL].
 * A device preserved with IOMMU state is in a live update from its preserve until its session finishes (or is
 * abandoned); all that time the hardware walk of its page table, in physical memory, must translate every page it
 * had at preserve time to the same frame with the same prot. Checked:
 * - after every step, on the hardware state (reported when newly broken);
 * - at a KEXEC, also in the window between the new kernel's early allocations and its IOMMU init, when the device
 *   still walks the old tables in memory the new kernel may have reused, and for devices whose live update the
 *   kexec ends (a previous live update not finished: nothing re-preserves them);
 * - at a replace of such a device on break-before-make hardware: a page whose leaf size differs between the old and
 *   the new table has no translation for a moment.
 */
import { hwTranslate, type Kernel, type Syscall, type SyscallResult } from '../kernel/index.ts';
import type { StepInvariant, Violation } from './types.ts';
import { afterOf, firstMismatch, hex, newlyBroken, windowFrames } from './liveUpdate.ts';

function hwOf(k: Kernel, device: string): Kernel['hw'][number] | undefined {
  return k.hw.find((h) => h.device === device);
}

/** The first device in a live update whose hardware translation is missing or different, described. */
export function faultState(k: Kernel): string | undefined {
  for (const r of k.history.devices) {
    const m = firstMismatch(k.frames, hwOf(k, r.device)?.pt ?? null, r.translations, k.pageSize);
    if (m) return `device ${r.device} (session "${r.session}"): ${m}`;
  }
  return undefined;
}

function v(message: string): Violation {
  return { invariant: 'dma-never-faults', message };
}

/** The kexec window and the devices whose live update the kexec ends. */
function checkKexec(before: Kernel, after: Kernel): Violation | undefined {
  const window = windowFrames(before, after);
  for (const r of before.history.devices) {
    const m = firstMismatch(window, hwOf(before, r.device)?.pt ?? null, r.translations, before.pageSize);
    if (m) return v(`device ${r.device}, during the kexec (before the new kernel's IOMMU init): ${m}`);
  }
  const kept = new Set(after.history.devices.map((r) => r.device));
  for (const r of before.history.devices) {
    if (kept.has(r.device)) continue;
    const m = firstMismatch(after.frames, hwOf(after, r.device)?.pt ?? null, r.translations, after.pageSize);
    if (m) return v(`device ${r.device}, after the kexec (its live update was not carried over): ${m}`);
  }
  return undefined;
}

/** A replace on break-before-make hardware between tables whose leaf sizes differ for a page the device must keep. */
function checkBreakBeforeMake(before: Kernel, after: Kernel): Violation | undefined {
  for (const r of after.history.devices) {
    const info = after.devices.find((d) => d.name === r.device);
    const was = hwOf(before, r.device)?.pt ?? null;
    const now = hwOf(after, r.device)?.pt ?? null;
    if (!info?.breakBeforeMake || !was || !now || was.top === now.top) continue;
    for (const t of r.translations) {
      for (let off = 0n; off < t.size; off += after.pageSize) {
        const a = hwTranslate(before.frames, was, t.iova + off);
        const b = hwTranslate(after.frames, now, t.iova + off);
        if (a.kind === 'leaf' && b.kind === 'leaf' && a.size !== b.size) {
          return v(`device ${r.device} is replaced on break-before-make hardware: at iova ${hex(t.iova + off)} the leaf goes from ${hex(a.size)} to ${hex(b.size)} bytes, so the translation is broken before it is made`);
        }
      }
    }
  }
  return undefined;
}

function check(before: Kernel, call: Syscall, result: SyscallResult<Kernel>): Violation | undefined {
  const after = afterOf(before, result);
  if (after === before) return undefined;
  if (call.op === 'KEXEC') {
    const w = checkKexec(before, after);
    if (w) return w;
  }
  if (after.history.devices.length === 0) return undefined;
  if (call.op === 'VFIO_DEVICE_ATTACH_IOMMUFD_PT') {
    const b = checkBreakBeforeMake(before, after);
    if (b) return b;
  }
  const m = newlyBroken(before, after, faultState);
  return m === undefined ? undefined : v(m);
}

/** The invariant, for the registry. */
export const dmaNeverFaults: StepInvariant = {
  name: 'dma-never-faults', kind: 'step', source: 'domain.md §F I10, I12', check,
  state: (k) => { const m = faultState(k); return m === undefined ? undefined : v(m); },
};

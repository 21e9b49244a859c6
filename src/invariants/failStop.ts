/**
 * `fail-stop`: an incompatible or failed restore stops (refuses or panics) instead of running with partial DMA
 * state.
 *
 * domain.md §F I18: "any incoming-state version mismatch or restore failure in LUO/IOMMU must stop (panic) rather
 * than run with partially restored DMA state; a verifier should flag KHO-root mismatch ('disabling KHO revival',
 * continues) combined with live DMA as unsafe" [LUO-INT; SK-TREE; KHO-C + INFERENCE]; §E: a new kernel without the
 * IOMMU live-update handler disables the translation a still-running device depends on. Checked at a KEXEC that
 * boots (a panic stops, a failed reboot leaves the old kernel running): when the old kernel preserved a device with
 * its DMA translation, the new kernel that goes on must have accepted the KHO handover and brought that device back
 * on its restored domain.
 */
import type { Kernel, Syscall, SyscallResult } from '../kernel/index.ts';
import type { StepInvariant, Violation } from './types.ts';

/** The devices the old kernel preserved with IOMMU state (their DMA runs through the kexec). */
function dmaPreserved(k: Kernel): string[] {
  const out: string[] = [];
  for (const s of k.lu.outgoing) for (const f of s.files) if (f.data.handler === 'vfio' && f.data.hwptToken !== null) out.push(f.data.device);
  return out.sort();
}

function check(before: Kernel, call: Syscall, result: SyscallResult<Kernel>): Violation | undefined {
  if (call.op !== 'KEXEC' || !result.ok) return undefined;
  const devices = dmaPreserved(before);
  if (devices.length === 0) return undefined;
  const after = result.kernel;
  const v = (m: string): Violation => ({ invariant: 'fail-stop', message: `kexec into ${after.profile}: ${m}, and the kernel went on` });
  if (after.kho.boot !== 'kho') {
    const why = after.kho.boot === 'revival-disabled' ? 'KHO revival was disabled (incompatible KHO ABI)' : 'the new kernel has no KHO';
    return v(`${why} while ${devices.join(', ')} kept doing DMA through preserved page tables`);
  }
  for (const d of devices) {
    const hw = after.hw.find((h) => h.device === d);
    const dom = typeof hw?.domain === 'number' ? after.domains.find((x) => x.id === hw.domain) : undefined;
    if (!dom?.restored) return v(`device ${d} lost its preserved translation at IOMMU init (${hw ? String(hw.domain) : 'gone'})`);
  }
  return undefined;
}

/** The invariant, for the registry. */
export const failStop: StepInvariant = { name: 'fail-stop', kind: 'step', source: 'domain.md §F I18, §E', check };

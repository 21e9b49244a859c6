/**
 * Live-update worlds for the planted-violation tests of the live-update invariants: a preserved guest (the Google
 * series' selftest flow, test/kernel/lu.ts), the same after a same-kernel kexec, and a rebuilt one, each holding
 * every invariant, to be broken by hand in a copy.
 */
import { checkState, checkStep, type Violation } from '../../src/invariants/index.ts';
import type { Kernel, Syscall, SyscallResult } from '../../src/kernel/index.ts';
import type { World } from '../kernel/harness.ts';
import { attachCdev, preserveAll, rebuild, retrieveAll, type Retrieved } from '../kernel/lu.ts';

export { checkState, checkStep };
export type { Violation };

/** The old kernel with the guest memfd, the iommufd and dev0's cdev preserved in session "vm". */
export function preservedWorld(): World {
  return preserveAll().w;
}

/** The new kernel after a same-kernel kexec of preservedWorld(), nothing retrieved yet. */
export function kexecedWorld(): World {
  const { w } = preserveAll();
  w.ok(w.kexec('linux-7.1-sk-restore'));
  return w;
}

/** The new kernel with everything retrieved and rebuilt (the new HWPT not attached yet). */
export function rebuiltWorld(): { r: Retrieved; hwpt: number; restored: number } {
  const r = retrieveAll(kexecedWorld());
  const b = rebuild(r);
  return { r, hwpt: b.hwpt, restored: b.restored };
}

/** rebuiltWorld() with the device replaced onto the new HWPT. */
export function replacedWorld(): { r: Retrieved; hwpt: number } {
  const { r, hwpt } = rebuiltWorld();
  attachCdev(r.w, r.cdev, hwpt);
  return { r, hwpt };
}

/** The names of the invariants reported. */
export function names(v: readonly Violation[]): string[] {
  return v.map((x) => x.invariant);
}

/** The violations of one step planted as `call` from `before` to `result`. */
export function step(before: Kernel, call: Syscall, result: SyscallResult<Kernel>): string[] {
  return names(checkStep(before, call, result));
}

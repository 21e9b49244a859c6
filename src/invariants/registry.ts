/**
 * The invariants implemented so far, by product.md name, and the two entry points that run them.
 *
 * `checkStep(before, call, result)` runs every step invariant on the step, and every state invariant on the kernel
 * after it when the step changed the kernel (a failed or refused call leaves the kernel as it was, which the
 * previous step already checked; failure-atomic checks that it did), and then the live-update invariants (step
 * invariants that report what the step newly broke). `checkState(k)` runs the state invariants, the users-counter
 * half of refcount-destroy and the state half of the live-update invariants on one kernel (a world just booted, or a
 * planted state).
 */
import type { Kernel, Syscall, SyscallResult } from '../kernel/index.ts';
import type { Invariant, StateInvariant, StepInvariant, Violation } from './types.ts';
import { domainMatchesAreas } from './domainMatchesAreas.ts';
import { iovaDisjointAligned } from './iovaDisjointAligned.ts';
import { pinAccounting } from './pinAccounting.ts';
import { refcountCounters, refcountDestroy } from './refcountDestroy.ts';
import { failureAtomic } from './failureAtomic.ts';
import { blackoutImmutable } from './blackoutImmutable.ts';
import { preservedReachable } from './preservedReachable.ts';
import { noReuse } from './noReuse.ts';
import { dmaNeverFaults } from './dmaNeverFaults.ts';
import { noForeignDma } from './noForeignDma.ts';
import { reconstructionEquivalent } from './reconstructionEquivalent.ts';
import { finishGated } from './finishGated.ts';
import { failStop } from './failStop.ts';

const STATE: readonly StateInvariant[] = [domainMatchesAreas, iovaDisjointAligned, pinAccounting];
const STEP: readonly StepInvariant[] = [refcountDestroy, failureAtomic];
/** The live-update invariants: step invariants, run on a step that changed the kernel. */
const LIVE_UPDATE: readonly StepInvariant[] = [
  blackoutImmutable, preservedReachable, noReuse, dmaNeverFaults, noForeignDma, reconstructionEquivalent, finishGated, failStop,
];

/** Every implemented invariant, state invariants first. */
export const INVARIANTS: readonly Invariant[] = [...STATE, ...STEP, ...LIVE_UPDATE];

/** The kernel a step leaves: its result's kernel on success or partial failure, else the kernel before it. */
function afterOf(before: Kernel, result: SyscallResult<Kernel>): Kernel {
  if (result.ok) return result.kernel;
  if ('kernel' in result && result.kernel) return result.kernel;
  return before;
}

/** Runs every invariant that applies to one step; each violation is named by its invariant. */
export function checkStep(before: Kernel, call: Syscall, result: SyscallResult<Kernel>): Violation[] {
  const out: Violation[] = [];
  for (const inv of STEP) {
    const r = inv.check(before, call, result);
    if (r) out.push(r);
  }
  const after = afterOf(before, result);
  if (after !== before) {
    for (const inv of STATE) {
      const r = inv.check(after);
      if (r) out.push(r);
    }
    for (const inv of LIVE_UPDATE) {
      const r = inv.check(before, call, result);
      if (r) out.push(r);
    }
  }
  return out;
}

/** Runs the state invariants (and the users-counter check of refcount-destroy) on one kernel. */
export function checkState(k: Kernel): Violation[] {
  const out: Violation[] = [];
  for (const inv of STATE) {
    const r = inv.check(k);
    if (r) out.push(r);
  }
  const c = refcountCounters(k);
  if (c) out.push(c);
  for (const inv of LIVE_UPDATE) {
    const r = inv.state?.(k);
    if (r) out.push(r);
  }
  return out;
}

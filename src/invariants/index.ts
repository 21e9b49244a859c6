/**
 * Public surface of the invariants (product.md "Invariants"; names are stable, reports use them).
 *
 * CONTRACT: `checkStep(before, call, result)` runs every invariant that applies to one step of the kernel model
 * and returns the violations, each under its own name. Steady-state invariants look at the kernel after the step;
 * step invariants (failure-atomic, refcount-destroy) also look at the call, its result and the kernel before it.
 * The live-update invariants (blackout-immutable, preserved-reachable, no-reuse, dma-never-faults, no-foreign-dma,
 * reconstruction-equivalent, finish-gated, fail-stop) are step invariants too: they report what a step newly breaks
 * (a KEXEC also in the window of memory between the new kernel's early boot and its IOMMU init), using the history
 * the kernel state keeps (`Kernel.history`). `checkState(k)` runs every state check on one kernel.
 * Pure: no I/O, no clock.
 */
export type { InvariantName, Violation } from './types.ts';
export { INVARIANTS, checkStep, checkState } from './registry.ts';

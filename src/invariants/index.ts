/**
 * Public surface of the invariants (product.md "Invariants"; names are stable, reports use them).
 *
 * CONTRACT: `checkStep(before, call, result)` runs every invariant that applies to one step of the kernel model
 * and returns the violations, each under its own name. Steady-state invariants look at the kernel after the step;
 * step invariants (failure-atomic, refcount-destroy) also look at the call, its result and the kernel before it.
 * Pure: no I/O, no clock.
 */
export type { InvariantName, Violation } from './types.ts';
export { INVARIANTS, checkStep, checkState } from './registry.ts';

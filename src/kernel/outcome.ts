/**
 * How handlers end. A kernel error is a value (`Fail`, naming its rule), never an exception; a failed call returns
 * nothing else, so the caller keeps the kernel it had (failure atomicity by construction). The one exception is the
 * kernel's own: IOMMU_IOAS_UNMAP may fail after unmapping some areas, and its `Fail` carries that kernel in `partial`.
 * Exceptions thrown inside src/kernel are model bugs (an impossible state), never outcomes, with one exception:
 * NotModelledError, thrown where a path deep inside a handler (a destroy op, a release) reaches something the model
 * does not implement; syscall() turns it into a NotModelled result.
 */
import type { Errno } from './uapi.ts';
import type { Kernel } from './types.ts';
import { ruleResult, type KnownRuleId } from './rules.ts';

/** A failed kernel path. */
export interface Fail {
  readonly kind: 'fail';
  readonly rule: KnownRuleId;
  /** IOMMU_IOAS_UNMAP only: the kernel after the areas removed before the failure. */
  readonly partial: Kernel | null;
  /** Fields the kernel writes back even on this failure (IOVA_RANGES' EMSGSIZE). */
  readonly out: Record<string, unknown> | null;
}

/** A call the model does not implement (not a kernel outcome: see uapi.ts NotModelled). */
export interface Refused {
  readonly kind: 'not-modelled';
  readonly reason: string;
}

/** A successful handler: the new kernel, the fields written back, and the success rule. */
export interface Done {
  readonly kind: 'done';
  readonly k: Kernel;
  readonly out: Record<string, unknown>;
  readonly rule: KnownRuleId;
}

/** A KEXEC into a kernel that panics at boot: there is no kernel after it. */
export interface Panicked {
  readonly kind: 'panic';
  readonly reason: string;
  readonly rule: KnownRuleId;
}

/** What an ioctl handler returns. */
export type Outcome = Done | Fail | Refused | Panicked;

/** The new kernel stops at boot on rule `rule`. */
export function panic(rule: KnownRuleId, reason: string): Panicked {
  return { kind: 'panic', reason, rule };
}

/** Thrown where a path deep inside a handler reaches what the model does not implement (see the file header). */
export class NotModelledError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'NotModelledError';
  }
}

/** Ends on rule `rule` (an errno path). */
export function fail(rule: KnownRuleId, out: Record<string, unknown> | null = null): Fail {
  return { kind: 'fail', rule, partial: null, out };
}

/** Ends on an errno path after the kernel changed (IOMMU_IOAS_UNMAP's partial unmap). */
export function failPartial(rule: KnownRuleId, k: Kernel): Fail {
  return { kind: 'fail', rule, partial: k, out: null };
}

/** Ends in success on rule `rule`. */
export function done(k: Kernel, rule: KnownRuleId, out: Record<string, unknown> = {}): Done {
  return { kind: 'done', k, out, rule };
}

/** Refuses a call the model does not implement. */
export function notModelled(reason: string): Refused {
  return { kind: 'not-modelled', reason };
}

/** True for a failed kernel path. */
export function isFail(x: unknown): x is Fail {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'fail';
}


/** The errno of a failed path. */
export function errnoOf(f: Fail): Errno {
  const r = ruleResult(f.rule);
  if (r === 'ok' || r === 'not-modelled' || r === 'PANIC' || r === 'FAULT') throw new Error(`model bug: rule ${f.rule} is not an errno path`);
  return r;
}

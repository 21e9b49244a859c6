/**
 * The real kernel model and invariant checkers (src/kernel, src/invariants), in the shape the runner takes.
 */
import { bootKernel, DEFAULT_PROFILE, dma, PROFILES, syscall } from '../kernel/index.ts';
import type { Kernel, ProfileName } from '../kernel/index.ts';
import { checkStep } from '../invariants/index.ts';
import type { KernelApi } from './runner.ts';

/** The kernel model of this repository. */
export const KERNEL_API: KernelApi<Kernel> = {
  bootKernel: (world, profile) => bootKernel(world, profile as ProfileName | undefined),
  syscall,
  dma,
  checkStep: (before, call, result) => checkStep(before, call, result).map((v) => ({ invariant: v.invariant, message: v.message })),
  profiles: Object.keys(PROFILES).sort(),
  defaultProfile: DEFAULT_PROFILE,
};

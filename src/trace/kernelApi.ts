/**
 * The real kernel model and invariant checkers (src/kernel, src/invariants), in the shape the runner takes.
 */
import { bootKernel, DEFAULT_PROFILE, dma, parseKernelName, PROFILES, syscall } from '../kernel/index.ts';
import type { Kernel } from '../kernel/index.ts';
import { checkStep } from '../invariants/index.ts';
import type { KernelApi } from './runner.ts';

/** The kernel model of this repository. */
export const KERNEL_API: KernelApi<Kernel> = {
  bootKernel: (world, profile) => bootKernel(world, profile),
  syscall,
  dma,
  checkStep: (before, call, result) => checkStep(before, call, result).map((v) => ({ invariant: v.invariant, message: v.message })),
  profiles: Object.keys(PROFILES).sort(),
  checkKernel: (name) => {
    const spec = parseKernelName(name);
    return typeof spec === 'string' ? spec : undefined;
  },
  defaultProfile: DEFAULT_PROFILE,
};

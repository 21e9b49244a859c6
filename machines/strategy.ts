/**
 * What a live-update strategy is, as data: the small unit that plugs into the lifecycle statechart
 * (machines/lifecycle.ts). A strategy says what the kernel does beyond the profile it runs (the hardening patches it
 * relies on, src/kernel/profiles.ts PATCHES), what the VMM asks the kernel to preserve and how it rebuilds after the
 * kexec (its documented procedure, as trace steps), and what an adversarial VMM may do instead or besides. The
 * environment (kernel pair, world, userspace kind, faults) comes from the proof that runs it (proofs/).
 *
 * Steps are trace steps (src/trace/types.ts Step) with the labels and config names of the trace format, so that a
 * path of the statechart is a trace that `handover replay` runs.
 */
import type { PatchName, ProfileName } from '../src/kernel/index.ts';
import type { KexecFaultStep, Step, TraceConfig } from '../src/trace/types.ts';
import type { Phase } from './lifecycle.ts';

/** A call the VMM may make, and why (shown in counterexamples). */
export interface VmmCall {
  step: Step;
  why: string;
  /** A short name for an adversarial call (`instead` and `menu`), by which a proof may pick the calls it allows. */
  id?: string;
  /** The lifecycle phases in which an adversarial call may be made (default: any, where its labels are bound). */
  when?: Phase[];
}

/** One step of the VMM's documented procedure. */
export interface ScriptStep extends VmmCall {
  /** What an adversarial VMM may do instead of this step (one deviation each). */
  instead?: VmmCall[];
}

/** A strategy and variant, e.g. S4 hitless-replace as proposed. */
export interface Strategy {
  /** `<strategy>/<variant>`, e.g. `s4-hitless-replace/proposed`. */
  name: string;
  title: string;
  /** What the kernel preserves, checks and restores, and what the VMM does: a paragraph for the reader. */
  summary: string;
  /** The thread, patches and code it is read against. */
  sources: string[];
  /** Hardening patches on both kernels of every environment (src/kernel/profiles.ts PATCHES). */
  patches: PatchName[];
  /** What the VMM does in a world (the guest's size decides the lengths it maps). */
  vmm(env: Environment): Vmm;
}

/** The VMM side of a strategy in one world. */
export interface Vmm {
  /**
   * The documented procedure from boot to after FINISH, with exactly one KEXEC step (its `kernel` is the
   * environment's, and so are its faults).
   */
  script: ScriptStep[];
  /** Calls an adversarial VMM may add at any point (one deviation each). */
  menu: VmmCall[];
}

/** Who drives the VMM side. */
export type Userspace =
  /** The documented procedure, nothing else; it gives up at the first step that fails (a KEXEC is retried). */
  | { kind: 'faithful' }
  /**
   * The procedure, where at any point it may make up to `deviations` calls of the menu or replace a step; `calls`
   * (ids) narrows the adversary to some of them (to isolate one finding; the proof says why).
   */
  | { kind: 'adversarial'; deviations: number; calls?: string[] };

/** The world a proof runs a strategy in. */
export interface Environment {
  /** Kernel before the kexec and after it (profiles; the strategy adds its patches to both). */
  from: ProfileName;
  to: ProfileName;
  /** The world at boot, as a trace's `config` (memfds, devices with `break_before_make`, ...). */
  config: TraceConfig;
  userspace: Userspace;
  /** Each entry is one more way the KEXEC can go: with these faults injected (a failed freeze, a failed restore). */
  faults?: KexecFaultStep[][];
  /**
   * DMA the device does, in the statechart's DMA region. These steps never change the state (the hardware reads
   * memory); the invariants dma-never-faults and no-foreign-dma check every translation of every state, which
   * covers any DMA, so the exhaustive search does not fire them. Counterexamples show them at the failing step.
   */
  dma: Extract<Step, { op: 'DMA' }>[];
}

/**
 * The worlds the random runs explore: S4 hitless-replace (proposed or hardened) with the wider VMM (s4Wide.ts), in
 * worlds larger than the exhaustive proofs': a 64-page guest, a second device, adversarial userspace with up to 12
 * deviations, and both KEXEC faults (a failed freeze, a failed restore of a table page).
 */
import { lifecycleModel } from '../../machines/lifecycle.ts';
import type { Environment, Strategy } from '../../machines/strategy.ts';
import proposed from '../../machines/strategies/s4-hitless-replace/proposed.ts';
import hardened from '../../machines/strategies/s4-hitless-replace/hardened.ts';
import type { ProfileName } from '../kernel/index.ts';
import type { RandomModel } from './engine.ts';
import { s4WideVmm, withWideVmm } from './s4Wide.ts';

export type S4Variant = 'proposed' | 'hardened' | 'hardened-first-cut';

export interface S4World {
  variant: S4Variant;
  /** 0: faithful userspace; otherwise adversarial with this many deviations. */
  deviations: number;
  /** Guest memfd size in pages (default 64). */
  pages?: number;
  /** A second device `dev1`, carried through the live update by the procedure (default true). */
  secondDevice?: boolean;
  /** Narrow the adversary to these call ids (Userspace.calls), or leave out these (`exclude`). */
  calls?: string[];
  exclude?: string[];
  /** Kernels (default: the upgrade linux-7.1-sk-v1 -> linux-7.1-sk-restore). */
  from?: ProfileName;
  to?: ProfileName;
}

/** The environment of a world. */
export function s4Environment(w: S4World): Environment {
  const env = baseEnvironment(w);
  if (env.userspace.kind !== 'adversarial' || (w.calls === undefined && w.exclude === undefined)) return env;
  const ids = w.calls ?? adversarialIds(w.variant, env).filter((id) => !(w.exclude ?? []).includes(id));
  return { ...env, userspace: { ...env.userspace, calls: ids } };
}

/** Every adversarial call id of the wider VMM in an environment (its `instead` and menu calls). */
export function adversarialIds(variant: S4Variant, env: Environment): string[] {
  void variant;
  const vmm = s4WideVmm(env);
  return [...vmm.script.flatMap((s) => s.instead ?? []), ...vmm.menu].flatMap((c) => (c.id === undefined ? [] : [c.id]));
}

function baseEnvironment(w: S4World): Environment {
  return {
    from: w.from ?? 'linux-7.1-sk-v1',
    to: w.to ?? 'linux-7.1-sk-restore',
    config: {
      memfds: [{ name: 'guest', pages: w.pages ?? 64 }],
      devices: [{ name: 'dev0' }, ...((w.secondDevice ?? true) ? [{ name: 'dev1' }] : [])],
    },
    userspace: w.deviations > 0 ? { kind: 'adversarial', deviations: w.deviations } : { kind: 'faithful' },
    faults: [[{ name: 'freeze-fails', token: '0x2' }], [{ name: 'restore-table-page-fails' }]],
    dma: [],
  };
}

/** A short name for file names: `s4-hardened-adv10-64p-2dev`. */
export function s4WorldName(w: S4World): string {
  return `s4-${w.variant}-${w.deviations > 0 ? `adv${w.deviations}` : 'faithful'}-${w.pages ?? 64}p-${(w.secondDevice ?? true) ? 2 : 1}dev`;
}

/** S4 hardened with only the patches the thread suggests (lu-replace-check, lu-hold-until-finish): the findings' world. */
export const HARDENED_FIRST_CUT: Strategy = {
  ...hardened,
  name: 's4-hitless-replace/hardened-first-cut',
  title: 'S4 with the replace check and the hold until FINISH only',
  patches: ['lu-replace-check', 'lu-hold-until-finish'],
};

/** The lifecycle model of a world. */
export function s4Model(w: S4World): RandomModel {
  const strategy = withWideVmm(w.variant === 'hardened' ? hardened : w.variant === 'proposed' ? proposed : HARDENED_FIRST_CUT);
  return lifecycleModel(strategy, s4Environment(w)) as unknown as RandomModel;
}

/**
 * Groups of the wider VMM's adversarial calls (ids). A world whose adversary has one group evaluates fewer calls in
 * each state than one with all of them (events() runs every offered call to see whether it can be made), so CI runs
 * the groups apart, and the whole menu in fewer runs.
 */
export const S4_CALL_GROUPS = {
  /** The rebuilt IOAS: the rebuild done wrong, extra maps and unmaps, huge pages. */
  rebuild: ['wrong-offset', 'read-only', 'half', 'huge-pages-off', 'unmap-guest', 'map-elsewhere', 'map-auto', 'map-tail', 'unmap-all', 'unmap-last', 'unmap-elsewhere', 'copy-within'],
  /** Objects and the devices: the scratch IOAS, copies, destroys, other HWPTs, replaces elsewhere, detaches. */
  objects: ['copy-to-scratch', 'copy-half-to-scratch', 'scratch-map', 'scratch-map-offset', 'scratch-unmap-all', 'destroy-hwpt2', 'destroy-hwpt3', 'destroy-ioas3', 'hwpt-alloc', 'restore-again', 'attach-scratch', 'attach-ioas2', 'attach-restored', 'attach-hwpt2', 'detach', 'attach-dev1-scratch', 'attach-dev1-restored', 'detach-dev1'],
  /** Before the kexec, the retrieved memfd, the session. */
  lifecycle: ['pre-map-second', 'pre-map-auto', 'pre-unmap-all', 'pre-ftruncate', 'pre-close-session', 'seal-write', 'seal-size', 'shrink', 'grow', 'finish-early', 'close-session', 'wrong-offset', 'half'],
} as const;

/**
 * Adversarial calls that break an invariant of the first cut of S4 hardened (HARDENED_FIRST_CUT; findings of the random
 * runs, test/random/findings.test.ts proves each with a trace): a detach of a preserved device before the kexec; a
 * second KEXEC before FINISH. Hardened's lu-hold-attachment and lu-reboot-after-finish close them.
 */
export const S4_HARDENED_FINDINGS = ['detach-before-kexec', 'pre-detach-dev1', 'kexec-again'] as const;

/**
 * s4-replace-check-only-adversarial-same: why the hardened strategy needs lu-hold-until-finish. The hardened strategy
 * with only lu-replace-check, same kernel, a VMM that may deviate twice.
 *
 * What it shows: the replace check alone judges the rebuild once, at the replace. Nothing stops the VMM from changing
 * the rebuilt table, or moving the device off it, afterwards while the live update is still running (before FINISH,
 * which is what can_finish gates, SK-TREE). The shortest counterexample unmaps the rebuilt guest mapping right after
 * the replace: the device's domain then translates nothing, so dma-never-faults (domain.md §F I10; Gowans §D.1:
 * "must not cause any DMA faults") and reconstruction-equivalent (§F I11: the rebuilt IOAS/HWPT no longer maps what
 * the preserved domain maps) are both VIOLATED at that step; a detach does the same to dma-never-faults. §F I7 asks
 * for immutability "until the device has been replaced onto a fresh domain"; this proof shows the window must reach
 * FINISH, which is what lu-hold-until-finish adds (s4-hardened-adversarial-same: HOLDS).
 *
 * (The unmap is of the whole area: the rebuild maps the guest as one area, and iopt_unmap_iova_range() does not split
 * an area, selftest iommufd_ioas.area (c), domain.md §B.8, so a one-page unmap would be ENOENT.)
 *
 * Goals: `replaced` REACHED (the check accepts the faithful rebuild first), `finished` REACHED.
 */
import type { Environment } from '../../machines/strategy.ts';
import { defineProof } from '../../src/verify/proof.ts';
import type { Strategy } from '../../machines/strategy.ts';
import hardened from '../../machines/strategies/s4-hitless-replace/hardened.ts';
import { CONFIG, FREEZE_FAILS, expectations, guestDma, larger, S4_COVERAGE } from './common.ts';

const replaceCheckOnly: Strategy = {
  ...hardened,
  name: 's4-hitless-replace/replace-check-only',
  title: 'S4 with the replace check but without holding the rebuilt table until FINISH',
  patches: ['lu-replace-check'],
};

const ENV: Environment = {
  from: 'linux-7.1-sk-restore',
  to: 'linux-7.1-sk-restore',
  config: CONFIG,
  // The adversary acts after the kexec only: what happens before it is s4-hardened-first-cut-adversarial-same's.
  userspace: { kind: 'adversarial', deviations: 2, calls: ['wrong-offset', 'read-only', 'half', 'huge-pages-off', 'unmap-guest', 'detach'] },
  faults: FREEZE_FAILS,
  dma: guestDma(16),
};

export default defineProof({
  name: 's4-replace-check-only-adversarial-same',
  title: 'S4 with lu-replace-check only, adversarial VMM (2 deviations): an unmap or a detach after the replace, before FINISH, faults the device',
  strategy: replaceCheckOnly,
  environment: ENV,
  larger: larger(ENV),
  expect: expectations({
    'dma-never-faults': { verdict: 'VIOLATED', why: 'an unmap of the rebuilt mapping (or a detach) after the replace and before FINISH takes the translation from the device while its live update runs (§F I10)' },
    'reconstruction-equivalent': { verdict: 'VIOLATED', why: 'after the unmap the rebuilt IOAS and HWPT the device is attached to map nothing of what the preserved domain maps (§F I11); the replace check saw an equivalent rebuild, nothing checks it afterwards' },
  }),
  goals: {
    replaced: { verdict: 'REACHED', why: 'lu-replace-check accepts the faithful rebuild' },
    finished: { verdict: 'REACHED', why: 'the live update completes' },
  },
  coverage: S4_COVERAGE,
});

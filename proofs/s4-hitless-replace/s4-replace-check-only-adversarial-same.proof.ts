/**
 * s4-replace-check-only-adversarial-same: why the hardened strategy needs lu-hold-until-finish. The hardened strategy
 * with only lu-replace-check, same kernel, a VMM that may deviate twice.
 *
 * What it shows: the replace check alone judges the rebuild once, at the replace. Nothing stops the VMM from moving
 * the device off the rebuilt HWPT afterwards while the live update is still running (before FINISH, which is what
 * can_finish gates, SK-TREE): a VFIO_DEVICE_DETACH_IOMMUFD_PT after the replace puts the device on a blocked domain,
 * and the DMA it keeps doing faults: dma-never-faults VIOLATED (domain.md §F I10; Gowans §D.1: "must not cause any
 * DMA faults"). §F I7 asks for immutability "until the device has been replaced onto a fresh domain"; this proof shows
 * the window must reach FINISH, which is what lu-hold-until-finish adds (s4-hardened-adversarial-same: HOLDS).
 *
 * reconstruction-equivalent HOLDS here, as the model shows: it judges a device attached to a rebuilt HWPT (§F I11),
 * and the only change this VMM can make after the replace is the detach, which leaves no rebuilt HWPT to judge. The
 * menu's other post-replace call, unmapping the first guest page from the rebuilt IOAS, is refused ENOENT: the rebuild
 * maps the guest as one area, and iopt_unmap_iova_range() does not split an area (selftest iommufd_ioas.area (c),
 * domain.md §C row 11, §B.8 "UNMAP of ... partial area: ENOENT"), so the rebuilt table never changes after the
 * replace. An unmap of the whole area would break both invariants; the VMM menu (vmm.ts) has no such call.
 *
 * Goals: `replaced` REACHED (the check accepts the faithful rebuild first), `finished` REACHED.
 */
import { defineProof } from '../../src/verify/proof.ts';
import type { Strategy } from '../../machines/strategy.ts';
import hardened from '../../machines/strategies/s4-hitless-replace/hardened.ts';
import { CONFIG, FREEZE_FAILS, expectations, guestDma } from './common.ts';

const replaceCheckOnly: Strategy = {
  ...hardened,
  name: 's4-hitless-replace/replace-check-only',
  title: 'S4 with the replace check but without holding the rebuilt table until FINISH',
  patches: ['lu-replace-check'],
};

export default defineProof({
  name: 's4-replace-check-only-adversarial-same',
  title: 'S4 with lu-replace-check only, adversarial VMM (2 deviations): a detach after the replace, before FINISH, faults the device',
  strategy: replaceCheckOnly,
  environment: {
    from: 'linux-7.1-sk-restore',
    to: 'linux-7.1-sk-restore',
    config: CONFIG,
    userspace: { kind: 'adversarial', deviations: 2 },
    faults: FREEZE_FAILS,
    dma: guestDma(16),
  },
  expect: expectations({
    'dma-never-faults': { verdict: 'VIOLATED', why: 'a detach after the replace and before FINISH takes the translation from the device while its live update runs (§F I10)' },
    'reconstruction-equivalent': { verdict: 'HOLDS', why: 'the replace check admits only an equivalent rebuild, the one-page unmap is ENOENT (no area split, §C row 11) and a detach leaves no rebuilt HWPT to judge (§F I11)' },
  }),
  goals: {
    replaced: { verdict: 'REACHED', why: 'lu-replace-check accepts the faithful rebuild' },
    finished: { verdict: 'REACHED', why: 'the live update completes' },
  },
});

/**
 * s4-hardened-bbm-leaf-sizes: s4-proposed-bbm-leaf-sizes with the hardened strategy: a 1024-page guest on
 * break-before-make hardware, the VMM allowed one deviation, narrowed to turning huge pages off on the rebuilt IOAS
 * (the narrowing isolates the leaf-size finding: same translations, other leaf sizes).
 *
 * What it shows: lu-replace-check also compares leaf sizes on BBM hardware (domain.md §F I12: "same sizes for
 * BBM-limited HW"; Jason 7 Oct, Gowans 9 Oct, §D.1), so the replace onto the 4 KiB rebuild is refused (EINVAL) and the
 * device stays on the restored domain, whose 2 MiB leaves never change: dma-never-faults HOLDS, and every other
 * invariant HOLDS.
 *
 * Goals: `refused` REACHED (the huge-pages-off rebuild is refused), `finished` REACHED (the faithful rebuild is
 * accepted).
 */
import { defineProof } from '../../src/verify/proof.ts';
import hardened from '../../machines/strategies/s4-hitless-replace/hardened.ts';
import { BOTH_FAULTS, FREEZE_FAILS, bbmConfig, expectations, guestDma, S4_COVERAGE } from './common.ts';

export default defineProof({
  name: 's4-hardened-bbm-leaf-sizes',
  title: 'S4 hardened on break-before-make hardware: a rebuild with other leaf sizes is refused',
  strategy: hardened,
  environment: {
    from: 'linux-7.1-sk-restore',
    to: 'linux-7.1-sk-restore',
    config: bbmConfig(1024),
    userspace: { kind: 'adversarial', deviations: 1, calls: ['huge-pages-off'] },
    faults: FREEZE_FAILS,
    dma: guestDma(1024),
  },
  larger: {
    environment: { config: bbmConfig(1536), faults: BOTH_FAULTS, dma: guestDma(1536) },
    why: 'a 1536-page guest (one more 2 MiB stretch) and both faults; the adversary stays narrowed to huge pages off, which isolates the leaf-size question',
  },
  expect: expectations({
    'dma-never-faults': { verdict: 'HOLDS', why: 'lu-replace-check refuses a replace between different leaf sizes on BBM hardware (§F I12)' },
    'reconstruction-equivalent': { verdict: 'HOLDS', why: 'huge pages off changes only leaf sizes, not translations (§F I11)' },
  }),
  goals: {
    refused: { verdict: 'REACHED', why: 'the rebuild with 4 KiB leaves is refused on BBM hardware' },
    finished: { verdict: 'REACHED', why: 'the faithful rebuild (same leaves) is accepted and the live update finishes' },
  },
  coverage: S4_COVERAGE,
});

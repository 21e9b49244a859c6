/**
 * s4-proposed-bbm-leaf-sizes: S4 as posted, same kernel, a 1024-page guest (mapped at 4 GiB + 4 KiB, so the IOMMU
 * can use 2 MiB leaves in its 2 MiB-aligned middle) on break-before-make hardware, and a VMM allowed one deviation:
 * turning huge pages off on the rebuilt IOAS (IOMMU_OPTION HUGE_PAGES = 0).
 *
 * Why the narrowing (`calls: ['huge-pages-off']`): it isolates the leaf-size finding. With huge pages off the rebuilt
 * domain has the same translations (same IOVAs, frames, prot: reconstruction-equivalent HOLDS, §F I11) but other leaf
 * sizes (4 KiB where the restored one has a 2 MiB leaf). On BBM-limited hardware a replace between different leaf
 * sizes must break the translation before making the new one (Jason 7 Oct: "same translation *size* => radix memory
 * may change freely"; Gowans 9 Oct: "translations must be *exactly* the same incl. granule", domain.md §D.1, §E, §F
 * I12), so the device faults during the replace: dma-never-faults VIOLATED. The other adversarial calls would also
 * break reconstruction-equivalent and hide which cause a fault has.
 *
 * Goals: `finished` REACHED.
 */
import { defineProof } from '../../src/verify/proof.ts';
import proposed from '../../machines/strategies/s4-hitless-replace/proposed.ts';
import { BOTH_FAULTS, FREEZE_FAILS, bbmConfig, expectations, guestDma, S4_COVERAGE } from './common.ts';

export default defineProof({
  name: 's4-proposed-bbm-leaf-sizes',
  title: 'S4 as posted on break-before-make hardware: a rebuild with other leaf sizes faults at the replace',
  strategy: proposed,
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
    'dma-never-faults': { verdict: 'VIOLATED', why: 'the replace from 2 MiB leaves to 4 KiB ones breaks before it makes on BBM hardware (§D.1 Jason 7 Oct, Gowans 9 Oct; §F I12)' },
    'reconstruction-equivalent': { verdict: 'HOLDS', why: 'huge pages off changes only leaf sizes: the same IOVAs reach the same frames with the same prot (§F I11 compares translations, not granules)' },
  }),
  goals: {
    finished: { verdict: 'REACHED', why: 'the live update completes' },
  },
  coverage: S4_COVERAGE,
});

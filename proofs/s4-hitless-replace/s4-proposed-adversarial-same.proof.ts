/**
 * s4-proposed-adversarial-same: S4 as posted, same kernel, a VMM that may deviate twice from the procedure (rebuild
 * from the wrong memfd offset, read-only, half the guest; turn huge pages off; unmap the rebuilt mapping; detach,
 * before or after the kexec; kexec again before FINISH).
 *
 * What it shows: the Gowans concern (domain.md §D.1, 10 Oct: "subtle page table difference which causes silent data
 * corruption"; Jason 10 Oct: "You have to at least validate that userspace has set things up in a way that is
 * consistent with the prior domain before adopting it"). The posted kernel accepts a replace onto a rebuilt domain
 * that translates otherwise (§D.5: "No kernel validation step comparing rebuilt IOAS with the preserved domain was
 * found"), so reconstruction-equivalent (§F I11) is VIOLATED and the device then reaches other frames or none:
 * dma-never-faults (§F I10) is VIOLATED (the shortest path there is shorter still: a detach after the preserve, which
 * nothing refuses). Two more findings, each closed by a hardening patch (s4-hardened-first-cut-adversarial-same):
 * a second kexec before FINISH lets the next kernel reuse the tables the device still walks, so in the kexec window it
 * reaches kernel memory: no-foreign-dma VIOLATED; and a device detached before the iommufd preserve leaves a marked
 * HWPT with no domain to restore, whose reclaim can_finish waits for for ever: no-deadlock VIOLATED. The kernel's own
 * bookkeeping stays consistent: every other invariant HOLDS (the IOAS is immutable before the kexec, SK-v1 11/14;
 * FINISH stays gated, SK-TREE can_finish).
 *
 * Goals: `finished` REACHED (an adversary does not stop the live update from completing).
 */
import type { Environment } from '../../machines/strategy.ts';
import { defineProof } from '../../src/verify/proof.ts';
import proposed from '../../machines/strategies/s4-hitless-replace/proposed.ts';
import { CONFIG, FREEZE_FAILS, expectations, guestDma, larger, S4_COVERAGE } from './common.ts';

const ENV: Environment = {
  from: 'linux-7.1-sk-restore',
  to: 'linux-7.1-sk-restore',
  config: CONFIG,
  userspace: { kind: 'adversarial', deviations: 2 },
  faults: FREEZE_FAILS,
  dma: guestDma(16),
};

export default defineProof({
  name: 's4-proposed-adversarial-same',
  title: 'S4 as posted, same kernel, adversarial VMM (2 deviations): a wrong rebuild is adopted and the device faults',
  strategy: proposed,
  environment: ENV,
  larger: larger(ENV),
  expect: expectations({
    'reconstruction-equivalent': { verdict: 'VIOLATED', why: 'a rebuild from the wrong offset (or read-only, or half) is replaced onto without any check (§D.5: no validation; §F I11)' },
    'dma-never-faults': { verdict: 'VIOLATED', why: 'after that replace the device translates through the wrong rebuild: other frames, other prot, or nothing (§F I10; Gowans §D.1 "must not cause any DMA faults")' },
    'no-foreign-dma': { verdict: 'VIOLATED', why: 'a second kexec before FINISH: the restored tables are not preserved again and the next kernel reuses them while the device walks them (§F I8-I10)' },
    'no-deadlock': { verdict: 'VIOLATED', why: 'a device detached before the iommufd preserve leaves a marked HWPT with no domain: IOMMU_HWPT_LU_RESTORE can only fail and can_finish waits for it for ever (§F I13)' },
  }),
  goals: {
    finished: { verdict: 'REACHED', why: 'the live update still completes (FINISH does not look at what the rebuilt HWPT maps, SK-TREE can_finish)' },
  },
  coverage: S4_COVERAGE,
});

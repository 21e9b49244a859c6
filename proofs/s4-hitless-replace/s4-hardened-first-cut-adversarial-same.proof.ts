/**
 * s4-hardened-first-cut-adversarial-same: why the hardened strategy needs lu-hold-attachment, lu-reboot-after-finish
 * and lu-finish-unrestored besides the two patches the thread suggests. The hardened strategy's first cut
 * (lu-replace-check and lu-hold-until-finish only), same kernel, a VMM that may deviate twice with the calls that act
 * around the kexec: detach the device before it (`detach-before-kexec`) and kexec again before FINISH (`kexec-again`).
 *
 * What it shows (each found first by the random runs, test/random/findings.test.ts):
 * - dma-never-faults VIOLATED: the series makes the IOAS immutable at the iommufd preserve, not the attachment; a
 *   detach after the preserve blocks the device while its live update is under way (§F I7, I10). lu-hold-attachment
 *   refuses it (EBUSY).
 * - no-foreign-dma VIOLATED: a second kexec before FINISH, while the device still walks the restored (or rebuilt)
 *   tables: nothing preserves them again, the next kernel's early allocations land on them, and in the kexec window
 *   the device reaches kernel memory (§F I8-I10; product.md lists "a second kexec before finish" among the faults).
 *   lu-reboot-after-finish refuses the reboot (EBUSY) while a restored device is claimed.
 * - no-deadlock VIOLATED: detached before the iommufd preserve, the device is preserved without IOMMU state, the
 *   marked HWPT with no domain; the new kernel restores nothing, IOMMU_HWPT_LU_RESTORE can only fail (ENOENT), and
 *   can_finish waits for that reclaim for ever (SK-TREE can_finish, §F I13): the session can never finish.
 *   lu-finish-unrestored counts such a HWPT as reclaimed.
 * s4-hardened-adversarial-same (all five patches, every call) HOLDS everywhere.
 *
 * Goals: `finished` REACHED (the procedure itself still completes).
 */
import type { Environment } from '../../machines/strategy.ts';
import { defineProof } from '../../src/verify/proof.ts';
import type { Strategy } from '../../machines/strategy.ts';
import hardened from '../../machines/strategies/s4-hitless-replace/hardened.ts';
import { CONFIG, FREEZE_FAILS, expectations, guestDma, larger, S4_COVERAGE } from './common.ts';

const firstCut: Strategy = {
  ...hardened,
  name: 's4-hitless-replace/hardened-first-cut',
  title: 'S4 with the replace check and the hold until FINISH only (the patches the thread suggests)',
  patches: ['lu-replace-check', 'lu-hold-until-finish'],
};

const ENV: Environment = {
  from: 'linux-7.1-sk-restore',
  to: 'linux-7.1-sk-restore',
  config: CONFIG,
  userspace: { kind: 'adversarial', deviations: 2, calls: ['detach-before-kexec', 'kexec-again'] },
  faults: FREEZE_FAILS,
  dma: guestDma(16),
};

export default defineProof({
  name: 's4-hardened-first-cut-adversarial-same',
  title: 'S4 with lu-replace-check and lu-hold-until-finish only, a VMM that detaches before the kexec or kexecs again before FINISH',
  strategy: firstCut,
  environment: ENV,
  larger: larger(ENV),
  expect: expectations({
    'dma-never-faults': { verdict: 'VIOLATED', why: 'a detach after the iommufd preserve blocks the device during its live update: the attachment is not frozen (§F I7, I10)' },
    'no-foreign-dma': { verdict: 'VIOLATED', why: 'a second kexec before FINISH: the restored tables are not preserved again and the next kernel reuses them while the device walks them (§F I8-I10)' },
    'no-deadlock': { verdict: 'VIOLATED', why: 'a device detached before the iommufd preserve leaves a marked HWPT with no domain: its reclaim can only fail, and can_finish waits for it for ever (§F I13)' },
  }),
  goals: {
    finished: { verdict: 'REACHED', why: 'the procedure itself completes' },
  },
  coverage: S4_COVERAGE,
});

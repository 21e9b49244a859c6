/**
 * s4-proposed-rollback-no-iommu: S4 as posted, rollback from the series (linux-7.1-sk-restore) to mainline without the
 * IOMMU live-update series (linux-7.1: same KHO and LUO ABIs, no iommufd / VFIO / IOMMU handler), faithful VMM.
 *
 * What it shows (domain.md §E): the new kernel has no handler for the preserved iommufd and cdev, so LUO's
 * deserialisation fails and /dev/liveupdate opens EIO ("File handler compatible unknown in new kernel"), and its
 * IOMMU driver, not in kdump mode, disables the translation the old kernel left enabled ("Translation was enabled
 * for %s but we are not in kdump mode"): the device, still doing DMA, loses its translation at IOMMU init, and the
 * kernel goes on. dma-never-faults (§F I10) is VIOLATED at the kexec, and fail-stop (§F I18: a mismatch must stop
 * rather than run with partially restored DMA state) is VIOLATED too. The rest HOLDS: KHO is accepted (same kho-v2,
 * so nothing preserved is reused: no-reuse), and no rebuilt objects exist to compare.
 *
 * Goals: `translationLost` REACHED (the phase of a kexec whose new kernel did not bring the device back);
 * `restored` UNREACHED (no kernel restores the domain on this path).
 */
import type { Environment } from '../../machines/strategy.ts';
import { defineProof } from '../../src/verify/proof.ts';
import proposed from '../../machines/strategies/s4-hitless-replace/proposed.ts';
import { CONFIG, FREEZE_FAILS, expectations, guestDma, larger, S4_COVERAGE } from './common.ts';

const ENV: Environment = {
  from: 'linux-7.1-sk-restore',
  to: 'linux-7.1',
  config: CONFIG,
  userspace: { kind: 'faithful' },
  faults: FREEZE_FAILS,
  dma: guestDma(16),
};

export default defineProof({
  name: 's4-proposed-rollback-no-iommu',
  title: 'S4 as posted, rollback to a kernel without the IOMMU series: the device loses its translation and the kernel goes on',
  strategy: proposed,
  environment: ENV,
  larger: larger(ENV),
  expect: expectations({
    'dma-never-faults': { verdict: 'VIOLATED', why: 'the IOMMU init of a kernel without the series disables the pre-enabled translation (§E, intel iommu.c "not in kdump mode")' },
    'fail-stop': { verdict: 'VIOLATED', why: 'the kernel goes on with a device that kept DMA through preserved tables but was not brought back on a restored domain (§E, §F I18)' },
  }),
  goals: {
    translationLost: { verdict: 'REACHED', why: 'the new kernel boots without restoring the preserved device (no IOMMU handler, §E)' },
    restored: { verdict: 'UNREACHED', why: 'linux-7.1 has no IOMMU restore path (profiles.ts: no iommufd handler)' },
  },
  coverage: S4_COVERAGE,
});

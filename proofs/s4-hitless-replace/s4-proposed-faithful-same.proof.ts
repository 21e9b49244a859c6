/**
 * s4-proposed-faithful-same: S4 hitless replace as posted, same kernel on both sides (linux-7.1-sk-restore), the VMM
 * following the series' selftest procedure (machines/strategies/s4-hitless-replace/vmm.ts), the kexec possibly
 * meeting a freeze failure first.
 *
 * What it shows: the procedure itself is sound. Every invariant HOLDS: the device keeps translating through the
 * preserved tables across the kexec (domain.md §D.5 "re-attached to the device, and DMA ownership is claimed"), the
 * VMM rebuilds from the retrieved memfd at the same IOVA and offset (memfd_luo restores each folio at its index,
 * §D.4), the replace is onto an equivalent domain (§F I11-I12), and FINISH waits for the HWPT to be reclaimed and the
 * device to leave the restored domain (SK-TREE can_finish, §F I13).
 *
 * Goals: `restored`, `replaced`, `finished` are REACHED (the HOLDS is not from a world that stops early);
 * `freezeFailed` is REACHED through the injected failure (reboot() EINVAL, the old kernel runs on, §F I17), after
 * which the retried kexec goes through; `refused` is UNREACHED: the posted kernel has no replace check (§D.5 "No
 * kernel validation step ... was found"), so nothing can refuse the replace.
 */
import type { Environment } from '../../machines/strategy.ts';
import { defineProof } from '../../src/verify/proof.ts';
import proposed from '../../machines/strategies/s4-hitless-replace/proposed.ts';
import { CONFIG, FREEZE_FAILS, expectations, guestDma, larger, S4_COVERAGE } from './common.ts';

const ENV: Environment = {
  from: 'linux-7.1-sk-restore',
  to: 'linux-7.1-sk-restore',
  config: CONFIG,
  userspace: { kind: 'faithful' },
  faults: FREEZE_FAILS,
  dma: guestDma(16),
};

export default defineProof({
  name: 's4-proposed-faithful-same',
  title: 'S4 as posted, same kernel, faithful VMM: the documented procedure keeps every invariant',
  strategy: proposed,
  environment: ENV,
  larger: larger(ENV),
  expect: expectations(),
  goals: {
    restored: { verdict: 'REACHED', why: 'the new kernel restores the preserved domain and re-attaches the device at IOMMU init (§D.5)' },
    replaced: { verdict: 'REACHED', why: 'the VMM replaces the device onto its rebuilt HWPT (the hitless replace, §D.1 Jason 7 Oct)' },
    finished: { verdict: 'REACHED', why: 'FINISH succeeds once the HWPT is reclaimed and the device is off the restored domain (SK-TREE can_finish)' },
    freezeFailed: { verdict: 'REACHED', why: 'the injected freeze failure makes reboot() fail; the old kernel runs on and the VMM retries (§F I17)' },
    refused: { verdict: 'UNREACHED', why: 'the posted series has no replace check (§D.5: no validation step found), so no replace is refused' },
  },
  coverage: S4_COVERAGE,
});

/**
 * s4-proposed-faithful-upgrade: S4 as posted, kexec from SK-v1 as posted (linux-7.1-sk-v1) into the series with its
 * restore path (linux-7.1-sk-restore), faithful VMM.
 *
 * What it shows: an upgrade between kernels that speak the same KHO, LUO, memfd and iommufd ABIs (iommufd-v1 on both
 * sides, src/kernel/profiles.ts) is a same-version live update for every layer: the new kernel restores the domain
 * SK-v1 preserved (the preserve side is the same code, SK-v1 11/14), the VMM rebuilds and replaces, and FINISH goes
 * through. Every invariant HOLDS for the reasons of the same-kernel proof; domain.md §E: "backward/forward
 * compatibility is only guaranteed for kernels supporting the same ABI version", which these two do.
 *
 * Goals: `finished` REACHED (the upgrade completes), `restored` REACHED.
 */
import type { Environment } from '../../machines/strategy.ts';
import { defineProof } from '../../src/verify/proof.ts';
import proposed from '../../machines/strategies/s4-hitless-replace/proposed.ts';
import { CONFIG, FREEZE_FAILS, expectations, guestDma, larger, S4_COVERAGE } from './common.ts';

const ENV: Environment = {
  from: 'linux-7.1-sk-v1',
  to: 'linux-7.1-sk-restore',
  config: CONFIG,
  userspace: { kind: 'faithful' },
  faults: FREEZE_FAILS,
  dma: guestDma(16),
};

export default defineProof({
  name: 's4-proposed-faithful-upgrade',
  title: 'S4 as posted, upgrade SK-v1 -> SK with restore, faithful VMM: every invariant holds',
  strategy: proposed,
  environment: ENV,
  larger: larger(ENV),
  expect: expectations({
    'no-reuse': { verdict: 'HOLDS', why: 'both kernels speak kho-v2 (profiles.ts), so every preserved frame is reserved at boot (kho_populate; §F I9)' },
    'fail-stop': { verdict: 'HOLDS', why: 'the new kernel accepts every compatible SK-v1 wrote (iommufd-v1, luo-v4, memfd-v2), so nothing is half restored (§E)' },
  }),
  goals: {
    restored: { verdict: 'REACHED', why: 'the restore path of the new kernel reads the domain SK-v1 preserved (same iommufd-v1 ABI)' },
    finished: { verdict: 'REACHED', why: 'the new kernel can retrieve the iommufd and finish (SK-v1 could not: EOPNOTSUPP, §D.5), and it is the one finishing' },
  },
  coverage: S4_COVERAGE,
});

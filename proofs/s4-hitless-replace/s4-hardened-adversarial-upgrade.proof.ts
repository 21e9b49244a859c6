/**
 * s4-hardened-adversarial-upgrade: S4 hardened, upgrade linux-7.1-sk-v1 -> linux-7.1-sk-restore (both with the two
 * hardening patches), a VMM that may deviate twice.
 *
 * What it shows: the hardening holds across an upgrade between kernels of the same live-update ABIs (domain.md §E:
 * compatibility "only guaranteed for kernels supporting the same ABI version", which these are: profiles.ts), as it
 * does for the same kernel (s4-hardened-adversarial-same): every invariant HOLDS.
 *
 * Goals: `refused` REACHED, `finished` REACHED.
 */
import type { Environment } from '../../machines/strategy.ts';
import { defineProof } from '../../src/verify/proof.ts';
import hardened from '../../machines/strategies/s4-hitless-replace/hardened.ts';
import { CONFIG, FREEZE_FAILS, expectations, guestDma, larger, S4_COVERAGE } from './common.ts';

const ENV: Environment = {
  from: 'linux-7.1-sk-v1',
  to: 'linux-7.1-sk-restore',
  config: CONFIG,
  userspace: { kind: 'adversarial', deviations: 2 },
  faults: FREEZE_FAILS,
  dma: guestDma(16),
};

export default defineProof({
  name: 's4-hardened-adversarial-upgrade',
  title: 'S4 hardened, upgrade SK-v1 -> SK with restore, adversarial VMM (2 deviations): every invariant holds',
  strategy: hardened,
  environment: ENV,
  larger: larger(ENV),
  expect: expectations({
    'reconstruction-equivalent': { verdict: 'HOLDS', why: 'lu-replace-check and lu-hold-until-finish, as in s4-hardened-adversarial-same (§F I11)' },
    'dma-never-faults': { verdict: 'HOLDS', why: 'the device leaves the restored domain only for an equivalent rebuild and keeps it until FINISH (§F I10, I12)' },
  }),
  goals: {
    refused: { verdict: 'REACHED', why: 'an adversarial rebuild is refused by lu-replace-check in the new kernel' },
    finished: { verdict: 'REACHED', why: 'the upgrade completes' },
  },
  coverage: S4_COVERAGE,
});

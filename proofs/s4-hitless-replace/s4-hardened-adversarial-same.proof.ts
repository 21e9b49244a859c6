/**
 * s4-hardened-adversarial-same: S4 hardened, same kernel, a VMM that may deviate up to three times (wrong offset,
 * read-only, half the guest, huge pages off, unmap a page, detach).
 *
 * What it shows: the two patches close what s4-proposed-adversarial-same and
 * s4-replace-check-only-adversarial-same find. lu-replace-check (Jason 10 Oct: "validate that userspace has set things
 * up in a way that is consistent with the prior domain before adopting it", domain.md §D.1; §F I11-I12) refuses a
 * replace onto a rebuild that translates otherwise, so the device stays on the restored domain;
 * lu-hold-until-finish refuses (EBUSY) an unmap on the rebuilt IOAS or a detach between the replace and FINISH, so a
 * rebuild that matched at the replace keeps matching while the live update runs. Every invariant HOLDS.
 *
 * Goals: `refused` REACHED (the check does fire on some adversarial rebuild), `finished` REACHED.
 */
import type { Environment } from '../../machines/strategy.ts';
import { defineProof } from '../../src/verify/proof.ts';
import hardened from '../../machines/strategies/s4-hitless-replace/hardened.ts';
import { CONFIG, FREEZE_FAILS, expectations, guestDma, larger, S4_COVERAGE } from './common.ts';

const ENV: Environment = {
  from: 'linux-7.1-sk-restore',
  to: 'linux-7.1-sk-restore',
  config: CONFIG,
  userspace: { kind: 'adversarial', deviations: 3 },
  faults: FREEZE_FAILS,
  dma: guestDma(16),
};

export default defineProof({
  name: 's4-hardened-adversarial-same',
  title: 'S4 hardened, same kernel, adversarial VMM (3 deviations): every invariant holds',
  strategy: hardened,
  environment: ENV,
  larger: larger(ENV),
  expect: expectations({
    'reconstruction-equivalent': { verdict: 'HOLDS', why: 'lu-replace-check refuses a replace onto a rebuild that translates otherwise, and lu-hold-until-finish keeps the accepted one as it is until FINISH (§F I11)' },
    'dma-never-faults': { verdict: 'HOLDS', why: 'the device leaves the restored domain only for an equivalent rebuild and cannot leave that before FINISH (§F I10, I12)' },
  }),
  goals: {
    refused: { verdict: 'REACHED', why: 'an adversarial rebuild (wrong offset, read-only, half) is refused by lu-replace-check' },
    finished: { verdict: 'REACHED', why: 'a VMM whose deviations are refused can still follow the procedure to FINISH' },
  },
  coverage: S4_COVERAGE,
});

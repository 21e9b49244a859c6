/**
 * s4-hardened-faithful-same: S4 hardened (the series plus lu-replace-check and lu-hold-until-finish,
 * machines/strategies/s4-hitless-replace/hardened.ts), same kernel, faithful VMM.
 *
 * What it shows: the hardening does not get in the way of the documented procedure. Every invariant HOLDS (as for
 * s4-proposed-faithful-same), the replace check accepts the faithful rebuild (it translates exactly as the restored
 * domain, §F I11-I12), and the live update finishes. `refused` is UNREACHED: a faithful rebuild is never refused.
 */
import type { Environment } from '../../machines/strategy.ts';
import { defineProof } from '../../src/verify/proof.ts';
import hardened from '../../machines/strategies/s4-hitless-replace/hardened.ts';
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
  name: 's4-hardened-faithful-same',
  title: 'S4 hardened, same kernel, faithful VMM: every invariant holds and the live update finishes',
  strategy: hardened,
  environment: ENV,
  larger: larger(ENV),
  expect: expectations(),
  goals: {
    restored: { verdict: 'REACHED', why: 'the new kernel restores the domain and re-attaches the device (§D.5)' },
    replaced: { verdict: 'REACHED', why: 'lu-replace-check accepts a rebuild that translates exactly as the restored domain' },
    finished: { verdict: 'REACHED', why: 'FINISH releases lu-hold-until-finish and succeeds (SK-TREE can_finish)' },
    freezeFailed: { verdict: 'REACHED', why: 'the injected freeze failure; the retried kexec goes through (§F I17)' },
    refused: { verdict: 'UNREACHED', why: 'the faithful rebuild is equivalent, so lu-replace-check never refuses it' },
  },
  coverage: S4_COVERAGE,
});

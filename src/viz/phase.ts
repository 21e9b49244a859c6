/**
 * The lifecycle phase of a trace that did not come from a proof, DERIVED from the kernel states the trace goes
 * through (the statechart is not run: a user's trace has no strategy, no VMM procedure, no environment). The rules
 * are those by which machines/lifecycle.ts moves between phases (what a step did to the kernel: a preserve, a kexec
 * that booted with or without the device's translation, a retrieve, a replace off a restored domain, a refusal by
 * the replace check, FINISH, an abort), applied to the kernel before and after each step; which phase may follow
 * which is read off the chart's own transitions, so a phase the chart lacks is never entered. test/viz checks that on
 * the proofs' counterexamples this derivation gives the phase the statechart is in, at every step.
 */
import type { Kernel } from '../kernel/index.ts';
import { PHASES, TERMINAL, type Phase } from '../../machines/lifecycle.ts';

export { PHASES, TERMINAL, type Phase };

/** Which phase may follow which: read off the lifecycle chart the phase is shown on (its transitions between phases). */
export type Moves = (from: string, to: string) => boolean;

function onRestoredDomain(k: Kernel): boolean {
  return k.history.devices.some((r) => {
    const h = k.hw.find((x) => x.device === r.device);
    return typeof h?.domain === 'number' && k.domains.some((d) => d.id === h.domain && d.restored);
  });
}

function translationLost(before: Kernel, after: Kernel): boolean {
  return before.history.devices.some((r) => {
    const h = after.hw.find((x) => x.device === r.device);
    return !h?.luClaimed || typeof h.domain !== 'number';
  });
}

/** The phase after a step (`result` its result, `rule` its kernel rule), from `phase`. */
export function derivePhase(phase: Phase, op: string, result: string, rule: string | undefined, before: Kernel, after: Kernel, moves: Moves): Phase {
  if (TERMINAL.includes(phase)) return phase;
  const ok = result === 'ok';
  let to: Phase | undefined;
  if (op === 'DMA') return phase;
  if (op === 'KEXEC') {
    if (result === 'PANIC') to = 'panicked';
    else if (!ok) to = 'freezeFailed';
    else if (phase === 'preserving' || phase === 'freezeFailed') to = translationLost(before, after) ? 'translationLost' : 'restored';
    else if (phase === 'running') to = 'rebooted' as Phase; // a kexec before anything was preserved (when the chart has that phase)
    else to = 'secondKexec';
  } else if (op === 'LIVEUPDATE_SESSION_PRESERVE_FD' && ok) to = 'preserving';
  else if (op === 'LIVEUPDATE_SESSION_RETRIEVE_FD' && ok) to = 'retrieving';
  else if (op === 'VFIO_DEVICE_ATTACH_IOMMUFD_PT') {
    if (ok && onRestoredDomain(before) && !onRestoredDomain(after)) to = 'replaced';
    else if (!ok && rule?.startsWith('lu_replace_check:')) to = 'refused';
  } else if (op === 'LIVEUPDATE_SESSION_FINISH' && ok) to = 'finished';
  else if (ok && before.lu.outgoing.some((s) => s.files.length > 0) && !after.lu.outgoing.some((s) => s.files.length > 0)) to = 'aborted';
  return to !== undefined && moves(phase, to) ? to : phase;
}

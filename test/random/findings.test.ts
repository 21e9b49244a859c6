/**
 * Findings of the random runs on the first cut of S4 hardened (linux-7.1-sk-v1 -> linux-7.1-sk-restore, with
 * lu-replace-check and lu-hold-until-finish only): each adversarial call of S4_HARDENED_FINDINGS breaks
 * dma-never-faults; here each is proven with a trace that replays to the violation, and shown closed by the patches
 * hardened.ts added for them (lu-hold-attachment, lu-reboot-after-finish; the exhaustive proof
 * s4-hardened-first-cut-adversarial-same shows the same in its world).
 *
 * 1. detach-before-kexec / pre-detach-dev1: after the device's cdev is preserved (LIVEUPDATE_SESSION_PRESERVE_FD), the VMM
 *    detaches the device (VFIO_DEVICE_DETACH_IOMMUFD_PT) before the kexec. The kernel model accepts it: the device
 *    loses its translation while its live update is under way. Neither the series' preserve checks (the IOAS is made
 *    immutable, the attachment is not) nor lu-hold-until-finish (from the replace to FINISH) forbid it.
 * 2. kexec-again: a second KEXEC before FINISH, while a device still translates through the restored domain (or the
 *    rebuilt one). Nothing re-preserves those tables in the new kernel, so the next kernel's early allocations land on
 *    them and the device's walk reads them during the kexec window.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFailure, randomRuns, s4Model, s4WorldName, type S4World } from '../../src/random/index.ts';
import { SEED } from './helpers.ts';

const out = mkdtempSync(join(tmpdir(), 'handover-random-findings-'));

function finding(calls: string[], deviations: number, secondDevice: boolean) {
  const world: S4World = { variant: 'hardened-first-cut', deviations, secondDevice, calls };
  const r = randomRuns({ name: s4WorldName(world), model: s4Model(world), runs: 100, seed: SEED, maxSteps: 80, outDir: out, shrinkSeconds: 5 });
  expect(r.failure, `no violation in ${r.runs} runs`).toBeDefined();
  const f = r.failure!;
  expect(f.replay.reproduced, `${formatFailure(f, 'x').join('\n')}`).toBe(true);
  return f;
}

describe('S4 hardened: findings of the random runs', () => {
  it('hardened (with lu-hold-attachment and lu-reboot-after-finish) survives the same calls', () => {
    for (const [calls, second] of [[['detach-before-kexec', 'pre-detach-dev1'], true], [['kexec-again'], false]] as const) {
      const world: S4World = { variant: 'hardened', deviations: 2, secondDevice: second, calls: [...calls] };
      const r = randomRuns({ name: s4WorldName(world), model: s4Model(world), runs: 60, seed: SEED, maxSteps: 80, outDir: out, shrinkSeconds: 5 });
      expect(r.failure ? formatFailure(r.failure, 'x').join('\n') : undefined).toBeUndefined();
    }
  });

  it('detaching a device whose cdev is preserved, before the kexec, breaks dma-never-faults at the detach', () => {
    // Two devices: each cdev preserve is followed by more steps before the KEXEC, so a detach fits in between.
    const f = finding(['detach-before-kexec', 'pre-detach-dev1'], 2, true);
    const v = f.run.violation!;
    expect(v.invariants).toEqual(['dma-never-faults']);
    const step = f.run.events[v.step]!.step as { op: string; device: string };
    expect(step.op).toBe('VFIO_DEVICE_DETACH_IOMMUFD_PT');
    expect(f.replay.report.lines[v.step]?.result).toBe('ok');
    // That device's cdev was preserved before it.
    expect(f.run.events.slice(0, v.step).some((e) => e.step.op === 'LIVEUPDATE_SESSION_PRESERVE_FD' && (e.step as { fd?: string }).fd === step.device)).toBe(true);
  });

  it('a second KEXEC before FINISH breaks dma-never-faults in the kexec window', () => {
    const f = finding(['kexec-again'], 2, false);
    const v = f.run.violation!;
    expect(v.invariants).toEqual(['dma-never-faults']);
    expect(f.run.events[v.step]?.step.op).toBe('KEXEC');
    expect(f.run.events.slice(0, v.step).some((e) => e.step.op === 'KEXEC')).toBe(true);
    expect(f.replay.report.lines[v.step]?.violations?.[0]?.message).toMatch(/during the kexec/);
  });
});

/**
 * Issue 6, random runs: S4 as proposed, adversarial, upgrade linux-7.1-sk-v1 -> linux-7.1-sk-restore, 64-page guest,
 * two devices. (b) the runs find reconstruction-equivalent violated (the series compares nothing before the replace)
 * and the written trace replays to it; (c) the printed seed and path rerun exactly that run, and a path picks one
 * run of a passing world; (d) a planted broken invariant is caught.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { phaseOf } from '../../machines/lifecycle.ts';
import { formatFailure, randomRuns, s4Model, s4WorldName, S4_CALL_GROUPS, type Run, type S4World } from '../../src/random/index.ts';
import { KERNEL_API, loadTraceFile, replayTrace } from '../../src/trace/index.ts';
import { SEED } from './helpers.ts';

const world: S4World = { variant: 'proposed', deviations: 10, calls: [...S4_CALL_GROUPS.rebuild] };
const model = s4Model(world);
const name = s4WorldName(world);
const out = mkdtempSync(join(tmpdir(), 'handover-random-'));

describe('S4 proposed, random runs', () => {
  const found = randomRuns({ name, model, runs: 200, seed: SEED, maxSteps: 80, judge: ['reconstruction-equivalent'], outDir: out, shrinkSeconds: 8 });

  it('(b) find reconstruction-equivalent violated; the written trace replays to it at the same step, every expectation met', () => {
    const f = found.failure;
    expect(f, 'the random runs find no violation').toBeDefined();
    if (!f) return;
    const text = formatFailure(f, 'npm run random --').join('\n');
    expect(f.run.violation?.invariants, text).toEqual(['reconstruction-equivalent']);
    expect(f.traceFile).toBe(join(out, `${name}-${SEED}.trace.json`));
    expect(existsSync(f.traceFile!)).toBe(true);
    expect(f.replay.reproduced, f.replay.problems.join('; ')).toBe(true);
    // Replayed here again, from the file, as `handover replay` does.
    const loaded = loadTraceFile(f.traceFile!);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const report = replayTrace(loaded.trace, KERNEL_API);
    const step = f.run.violation!.step;
    expect(report.summary.verdict).toBe('PASS');
    expect(report.summary.met).toBe(report.summary.checked);
    expect(report.summary.checked).toBe(f.run.events.length);
    expect(report.lines[step]?.violations?.map((v) => v.invariant)).toContain('reconstruction-equivalent');
    expect(report.lines[step]?.expected?.violations).toContain('reconstruction-equivalent');
    // Nothing before the failing step breaks reconstruction-equivalent.
    expect(report.lines.slice(0, step).flatMap((l) => l.violations ?? []).map((v) => v.invariant)).not.toContain('reconstruction-equivalent');
    const trace = JSON.parse(readFileSync(f.traceFile!, 'utf8')) as { steps: { expect?: string; expect_violations?: string[] }[] };
    expect(trace.steps.every((s) => s.expect !== undefined)).toBe(true);
    expect(trace.steps[step]?.expect_violations).toContain('reconstruction-equivalent');
  });

  it('(c) the printed seed and path rerun exactly the failing run', () => {
    const f = found.failure!;
    const again = randomRuns({ name, model, runs: 200, seed: f.seed, path: f.path, maxSteps: 80, judge: ['reconstruction-equivalent'], outDir: null });
    expect(again.runs).toBe(1);
    expect(again.failure?.input).toEqual(f.input);
    expect(again.failure?.run.events.map((e) => e.step)).toEqual(f.run.events.map((e) => e.step));
    expect(again.failure?.run.violation).toEqual(f.run.violation);
    expect(again.failure?.path).toBe(f.path);
  });

  it('(c) a seed and a path pick one run of a passing world; the same seed gives the same runs', () => {
    const hardened: S4World = { ...world, variant: 'hardened' };
    const m = s4Model(hardened);
    const seen: Run[] = [];
    const all = randomRuns({ name: s4WorldName(hardened), model: m, runs: 8, seed: 77, maxSteps: 80, outDir: null, onRun: (r) => seen.push(r) });
    expect(all.failure).toBeUndefined();
    expect(seen).toHaveLength(8);
    const one: Run[] = [];
    randomRuns({ name: s4WorldName(hardened), model: m, runs: 8, seed: 77, path: '5', maxSteps: 80, outDir: null, onRun: (r) => one.push(r) });
    expect(one).toHaveLength(1);
    expect(one[0]!.events.map((e) => e.step)).toEqual(seen[5]!.events.map((e) => e.step));
    expect(one[0]!.phase).toBe(seen[5]!.phase);
    const twice: Run[] = [];
    randomRuns({ name: s4WorldName(hardened), model: m, runs: 8, seed: 77, maxSteps: 80, outDir: null, onRun: (r) => twice.push(r) });
    expect(twice.map((r) => r.events.map((e) => e.step))).toEqual(seen.map((r) => r.events.map((e) => e.step)));
  });

  it('(d) a planted broken invariant is caught, shrunk, and its trace replays (the kernel sees nothing wrong)', () => {
    // "The device is never replaced": false as soon as the procedure's replace succeeds.
    const hardened: S4World = { variant: 'hardened', deviations: 0, secondDevice: false };
    const r = randomRuns({
      name: 'planted', model: s4Model(hardened), runs: 50, seed: 3, maxSteps: 80, outDir: out, shrinkSeconds: 5,
      extraInvariants: { 'planted-never-replaced': (s) => phaseOf(s.value) !== 'replaced' },
    });
    const f = r.failure;
    expect(f).toBeDefined();
    if (!f) return;
    expect(f.run.violation?.invariants).toEqual(['planted-never-replaced']);
    const at = f.run.violation!.step;
    expect(f.run.events[at]?.step.op).toBe('VFIO_DEVICE_ATTACH_IOMMUFD_PT');
    expect(f.run.phases[at]).toBe('replaced');
    expect(f.run.events).toHaveLength(at + 1);
    // The replay cannot judge a planted invariant; it runs the path with every expectation met and no kernel invariant broken.
    expect(f.replay.reproduced).toBe(true);
    expect(f.replay.report.summary.violations).toBe(0);
    expect(formatFailure(f, 'x').join('\n')).toMatch(/seed 3, path [0-9:]+/);
  });
});

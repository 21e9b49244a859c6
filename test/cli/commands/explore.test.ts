import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const LOCK = 'test/explore/fixtures/modules/naiveLock.model.ts';
const TWOPHASE = 'test/bench/fixtures/twophase.machine.ts';

function explore(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['src/cli/handover.js', 'explore', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 110_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON report without the fields that vary from run to run or with the worker count. */
function stable(stdout: string): Record<string, unknown> {
  const { seconds, statesPerSecond, peakMemoryBytes, workers, ...rest } = JSON.parse(stdout) as Record<string, unknown>;
  void [seconds, statesPerSecond, peakMemoryBytes, workers];
  return rest;
}

const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

describe('handover explore', () => {
  it('prints the shortest counterexample and exits 1 on a violation', () => {
    const r = explore([LOCK, '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${LOCK}: VIOLATED: mutualExclusion`);
    expect(r.stdout).toContain('13 distinct states, 24 transitions, depth 6 (exhaustive); fingerprint mode, 1 worker');
    expect(r.stdout).toContain(
      [
        'mutualExclusion: violated; shortest trace, 4 events:',
        '  0. initial state',
        '       value.p1 = "idle"',
        '       value.p2 = "idle"',
        '       context.locked = false',
        '  1. check {"p":"p1"}',
        '       value.p1: "idle" -> "checked"',
        '  2. check {"p":"p2"}',
        '       value.p2: "idle" -> "checked"',
        '  3. acquire {"p":"p1"}',
        '       value.p1: "checked" -> "critical"',
        '       context.locked: false -> true',
        '  4. acquire {"p":"p2"}',
        '       value.p2: "checked" -> "critical"',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
  });

  it('--json prints one object with the verdict, counts, the trace and its states', () => {
    const r = explore([LOCK, '--json', '--workers', '1']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(j).toMatchObject({ verdict: 'VIOLATED', distinctStates: 13, transitions: 24, maxDepth: 6, mode: 'fingerprint', workers: 1 });
    expect(j.violations).toEqual([
      {
        invariant: 'mutualExclusion',
        trace: [
          { type: 'check', p: 'p1' },
          { type: 'check', p: 'p2' },
          { type: 'acquire', p: 'p1' },
          { type: 'acquire', p: 'p2' },
        ],
        states: [
          { value: { p1: 'idle', p2: 'idle' }, context: { locked: false } },
          { value: { p1: 'checked', p2: 'idle' }, context: { locked: false } },
          { value: { p1: 'checked', p2: 'checked' }, context: { locked: false } },
          { value: { p1: 'critical', p2: 'checked' }, context: { locked: true } },
          { value: { p1: 'critical', p2: 'critical' }, context: { locked: true } },
        ],
      },
    ]);
    for (const k of ['seconds', 'statesPerSecond', 'bytesPerState', 'collisionProbability', 'peakMemoryBytes']) {
      expect(typeof j[k], k).toBe('number');
    }
  });

  it('HOLDS exits 0, and the JSON is the same for 1, 2 and 4 workers (timing aside)', () => {
    const runs = [1, 2, 4].map((w) => explore([TWOPHASE, '--json', '--workers', String(w)], { TWOPHASE_RM: '5' }));
    for (const r of runs) expect(r.code).toBe(0);
    const first = stable(runs[0]!.stdout);
    expect(first).toMatchObject({ verdict: 'HOLDS', distinctStates: 8832, transitions: 58145, maxDepth: 16, exhaustive: true });
    for (const r of runs.slice(1)) expect(stable(r.stdout)).toEqual(first);
  });

  it('a bound gives INCOMPLETE (exit 1) and says which, never HOLDS', () => {
    const r = explore([TWOPHASE, '--json', '--workers', '1', '--max-states', '500']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'INCOMPLETE', distinctStates: 500, bound: { kind: 'states', limit: 500 } });
    const d = explore([TWOPHASE, '--workers', '1', '--max-depth', '3']);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain('INCOMPLETE');
    expect(d.stdout).toContain('bound: depth bound 3 reached');
  });

  it('--exact agrees with the fingerprint mode', () => {
    const f = stable(explore([LOCK, '--json', '--workers', '1']).stdout);
    const e = stable(explore([LOCK, '--json', '--workers', '1', '--exact']).stdout);
    expect({ ...e, mode: 0, bytesPerState: 0, collisionProbability: 0 }).toEqual({ ...f, mode: 0, bytesPerState: 0, collisionProbability: 0 });
    expect(e.mode).toBe('exact');
  });

  it('refuses bad input with exit 2, naming the file and what is wrong', () => {
    // Modules that import xstate must sit where xstate resolves: a scratch folder inside the repository.
    const dir = mkdtempSync(join(root, 'test/explore/fixtures/modules/.scratch-'));
    cleanup.push(dir);
    const noDefault = join(dir, 'noDefault.ts');
    writeFileSync(noDefault, 'export const machine = 1;\n');
    const badMachine = join(dir, 'badMachine.ts');
    writeFileSync(badMachine, 'export default { machine: {}, events: [], invariants: {} };\n');
    const noEvents = join(dir, 'noEvents.ts');
    writeFileSync(noEvents, `import { createMachine } from 'xstate';\nexport default { machine: createMachine({}), invariants: {} };\n`);
    const badEvent = join(dir, 'badEvent.ts');
    writeFileSync(badEvent, `import { createMachine } from 'xstate';\nexport default { machine: createMachine({}), events: [{ kind: 1 }], invariants: {} };\n`);
    const syntax = join(dir, 'syntax.ts');
    writeFileSync(syntax, 'export default {{;\n');
    // Outside any "type": "module" package a .ts file is CommonJS to Node: the message says what to do.
    const outside = mkdtempSync(join(tmpdir(), 'handover-explore-cli-'));
    cleanup.push(outside);
    const cjs = join(outside, 'model.ts');
    writeFileSync(cjs, 'export default {};\n');
    const cases: [string[], RegExp][] = [
      [[join(dir, 'missing.ts')], /missing\.ts: no such file/],
      [[noDefault], /noDefault\.ts: export default: no default export/],
      [[badMachine], /badMachine\.ts: machine: expected an XState v5 machine/],
      [[noEvents], /noEvents\.ts: events: missing/],
      [[badEvent], /badEvent\.ts: events\[0\]: must be an event object with a string `type`/],
      [[syntax], /syntax\.ts: cannot load the model module/],
      [[cjs], /model\.ts: cannot load the model module: .*name it \.mts, or add "type": "module"/],
      [[LOCK, '--workers', '0'], /--workers: expected an integer >= 1, got "0"/],
      [[LOCK, '--max-seconds', 'soon'], /--max-seconds: expected a positive number/],
    ];
    for (const [args, message] of cases) {
      const r = explore(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout, args.join(' ')).toBe('');
    }
  });

  it('a model that throws is reported with the trace to where it happened (exit 2)', () => {
    const dir = mkdtempSync(join(root, 'test/explore/fixtures/modules/.scratch-'));
    cleanup.push(dir);
    const file = join(dir, 'throws.ts');
    writeFileSync(
      file,
      `import { createMachine } from 'xstate';
export default {
  machine: createMachine({ initial: 'a', states: { a: { on: { go: 'b' } }, b: {} } }),
  events: [{ type: 'go' }],
  invariants: { fussy: (s: { value: unknown }) => { if (s.value === 'b') throw new Error('cannot judge b'); return true; } },
  options: { checkDeadlock: false },
};
`,
    );
    const r = explore([file, '--workers', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the model threw in invariant fussy: cannot judge b');
    expect(r.stderr).toContain('  1. go');
  });

  it('--help documents the command', () => {
    const r = explore(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: handover explore [options] <file>');
    expect(r.stdout).toContain('--max-memory <mb>');
  });
});

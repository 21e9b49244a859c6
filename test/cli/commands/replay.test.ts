/**
 * `handover replay` end to end: the real CLI (node src/cli/handover.js) on the fixture traces in
 * test/fixtures, with the real kernel model.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const fixture = (p: string): string => join('test/fixtures', p);

function handover(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['src/cli/handover.js', ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('handover replay', () => {
  it('replays a trace whose expectations hold: one line per step, PASS, exit 0', () => {
    const r = handover('replay', fixture('traces/basic.trace.json'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^test\/fixtures\/traces\/basic\.trace\.json \(kernel \S+; source: test fixture/);
    expect(lines.slice(1, 9).map((l) => l.trim().split(/\s+/).slice(0, 4).join(' '))).toEqual([
      '✓ 0 IOMMU_IOAS_ALLOC ok',
      '✓ 1 IOMMU_IOAS_MAP ok',
      '✓ 2 IOMMU_IOAS_MAP EEXIST',
      '✓ 3 IOMMU_IOAS_UNMAP ENOENT',
      '✓ 4 IOMMU_IOAS_UNMAP ok',
      '✓ 5 IOMMU_IOAS_IOVA_RANGES EMSGSIZE',
      '✓ 6 IOMMU_DESTROY ENOENT',
      '✓ 7 IOMMU_DESTROY ok',
    ]);
    expect(lines[1]).toContain('out_ioas_id=1 → ioas');
    expect(lines[5]).toContain('length=0x2000');
    expect(lines.at(-1)).toBe('PASS test/fixtures/traces/basic.trace.json: 8 steps, 8/8 expectations met, no invariant broken');
  });

  it('exits 1 and shows the expectation that was not met', () => {
    const r = handover('replay', fixture('traces/wrong-expectation.trace.json'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/✗ 1 {2}IOMMU_IOAS_UNMAP {2}ENOENT/);
    expect(r.stdout).toMatch(/expected ok, got ENOENT \[/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^FAIL .*wrong-expectation\.trace\.json: 2 steps, 0\/1 expectations met/);
  });

  it('reports a call the model does not implement as NOT_MODELLED, stops there and exits 1', () => {
    const r = handover('replay', fixture('traces/not-modelled.trace.json'));
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(3)).toEqual([
      '  ✗ 2  VFIO_DEVICE_ATTACH_IOMMUFD_PT  NOT_MODELLED',
      expect.stringMatching(/^ {7}not modelled: .*PASID/) as unknown,
      '       expected ok, got NOT_MODELLED [not-modelled]',
      '       (1 step after it not run)',
      'FAIL test/fixtures/traces/not-modelled.trace.json: 4 steps (2 ran), 0/2 expectations met, no invariant broken',
    ]);
  });

  it('--json: one object per step and a summary per file, each conforming to the replay schema', () => {
    const r = handover('replay', '--json', fixture('traces/basic.trace.json'), fixture('traces/wrong-expectation.trace.json'));
    expect(r.status).toBe(1);
    const schema = JSON.parse(readFileSync(join(root, 'src/trace/schemas/replay.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allowUnionTypes: true, strictTypes: false }).compile(schema);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const l of lines) expect(validate(l), JSON.stringify(validate.errors)).toBe(true);
    expect(lines.map((l) => ('summary' in l ? 'summary' : `${String(l['step'])}:${String(l['result'])}`))).toEqual([
      '0:ok', '1:ok', '2:EEXIST', '3:ENOENT', '4:ok', '5:EMSGSIZE', '6:ENOENT', '7:ok', 'summary',
      '0:ok', '1:ENOENT', 'summary',
    ]);
    expect(lines[1]).toMatchObject({ op: 'IOMMU_IOAS_MAP', out: { iova: '0x100000' }, expected: { result: 'ok', out: { iova: '0x100000' }, met: true } });
    expect(lines[4]).toMatchObject({ out: { length: '0x2000' } });
    expect(lines[8]).toMatchObject({ file: 'test/fixtures/traces/basic.trace.json', summary: { steps: 8, checked: 8, met: 8, violations: 0, verdict: 'PASS' } });
    expect(lines[10]).toMatchObject({ expected: { met: false, mismatches: [{ field: 'result', expected: 'ok', actual: 'ENOENT' }] } });
  });

  it('--json of the live-update steps (KEXEC, DMA, PANIC, FAULT, expected violations) conforms to the replay schema', () => {
    const r = handover('replay', '--json', fixture('liveupdate/lu-rebuilt-offset.trace.json'), fixture('liveupdate/lu-rollback-no-iommu.trace.json'));
    expect(r.status).toBe(0);
    const schema = JSON.parse(readFileSync(join(root, 'src/trace/schemas/replay.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allowUnionTypes: true, strictTypes: false }).compile(schema);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const l of lines) expect(validate(l), JSON.stringify(validate.errors)).toBe(true);
    const kexec = lines.find((l) => l['op'] === 'KEXEC' && String(l['file']).includes('rollback'));
    expect(kexec).toMatchObject({ result: 'ok', rule: 'kernel_kexec:ok', expected: { violations: ['dma-never-faults', 'fail-stop'], met: true } });
    expect(lines.filter((l) => l['op'] === 'DMA' && l['result'] === 'FAULT').length).toBe(2);
    expect(lines.filter((l) => 'summary' in l).map((l) => l['summary'])).toEqual([
      expect.objectContaining({ violations: 2, expectedViolations: 2, verdict: 'PASS' }),
      expect.objectContaining({ violations: 2, expectedViolations: 2, verdict: 'PASS' }),
    ]);
  });

  describe('unusable input', () => {
    const BAD: [string, RegExp][] = [
      ['malformed.trace.json', /^handover: test\/fixtures\/bad\/malformed\.trace\.json: invalid JSON at line 6, column 3: expected a value, found "]"$/],
      ['unknown-op.trace.json', /^handover: test\/fixtures\/bad\/unknown-op\.trace\.json: step 1: field op: unknown op "IOMMU_IOAS_MAPP"; did you mean IOMMU_IOAS_MAP/],
      ['missing-field.trace.json', /^handover: test\/fixtures\/bad\/missing-field\.trace\.json: step 1: field length: missing required field$/],
      ['mistyped-field.trace.json', /^handover: test\/fixtures\/bad\/mistyped-field\.trace\.json: step 1: field iova: \[0\] is not an integer or a string$/],
      ['u64-out-of-range.trace.json', /^handover: test\/fixtures\/bad\/u64-out-of-range\.trace\.json: step 1: field length: "18446744073709551616" is out of range for a u64/],
      ['inexact-number.trace.json', /^handover: test\/fixtures\/bad\/inexact-number\.trace\.json: step 1: field length: 18446744073709552000 is inexact: a JSON number above 2\^53-1/],
      ['unknown-label.trace.json', /^handover: test\/fixtures\/bad\/unknown-label\.trace\.json: step 1: field id: unknown label "iaos": no earlier step binds it with "as"; did you mean ioas\?$/],
      ['unknown-kernel.trace.json', /^handover: test\/fixtures\/bad\/unknown-kernel\.trace\.json: field kernel: unknown kernel profile "linux-2.6"/],
      ['page-size.trace.json', /^handover: test\/fixtures\/bad\/page-size\.trace\.json: field config\.pageSize: must be a power of two from 2048/],
    ];
    // One run with a usable trace first and every unusable one after it: each is reported, nothing runs.
    const r = handover('replay', fixture('traces/basic.trace.json'), ...BAD.map(([f]) => fixture(`bad/${f}`)));
    const messages = r.stderr.trimEnd().split('\n');

    it('exits 2, prints nothing on stdout (nothing ran), one message per unusable file', () => {
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(messages).toHaveLength(BAD.length);
    });

    it.each(BAD)('%s: the message names the file, the step and the field', (file, message) => {
      expect(messages.find((m) => m.includes(`/${file}:`))).toMatch(message);
    });
  });

  it('names a missing file, and reports every unusable file', () => {
    const r = handover('replay', 'nope.trace.json', fixture('bad/unknown-op.trace.json'));
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'handover: nope.trace.json: no such file',
      expect.stringMatching(/^handover: test\/fixtures\/bad\/unknown-op\.trace\.json: step 1: field op: unknown op/) as unknown,
    ]);
  });

  it('has --help, and wants at least one file', () => {
    const help = handover('replay', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: handover replay \[options\] <file\.\.\.>/);
    expect(help.stdout).toMatch(/Exit status: 0 every expectation met/);
    expect(handover('replay').status).toBe(2);
  });
});

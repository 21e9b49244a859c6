/**
 * Kernel profiles (src/kernel/profiles.ts): what each kernel has, and that the shipped ones differ in the IOVA
 * allocator and the page-table layout as the issue requires.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, PATCHES, PROFILES, hasPatch, isKernelName, parseKernelName } from '../../src/kernel/index.ts';

describe('profiles', () => {
  it('the default is the kernel with the IOMMU live-update restore path, and has IOMMU_IOAS_MAP_FILE', () => {
    expect(DEFAULT_PROFILE).toBe('linux-7.1-sk-restore');
    expect(PROFILES[DEFAULT_PROFILE].ioctls).toContain('IOMMU_IOAS_MAP_FILE');
    expect(PROFILES[DEFAULT_PROFILE].ioctls).toContain('IOMMU_HWPT_LU_RESTORE');
    expect(PROFILES[DEFAULT_PROFILE].liveUpdate.iommufd?.restore).toBe(true);
    expect(PROFILES['linux-6.12'].ioctls).not.toContain('IOMMU_IOAS_MAP_FILE');
  });
  it('the live-update profiles reach every mismatch behaviour of domain.md §E between them', () => {
    const lu = (n: keyof typeof PROFILES) => PROFILES[n].liveUpdate;
    // continue: another KHO ABI (revival disabled)
    expect(lu('linux-6.19').kho).not.toBe(lu('linux-7.1-sk-restore').kho);
    // panic: the same KHO, another LUO ABI
    expect(lu('linux-7.2').kho).toBe(lu('linux-7.1-sk-restore').kho);
    expect(lu('linux-7.2').luo?.compatible).not.toBe(lu('linux-7.1-sk-restore').luo?.compatible);
    // refuse (EIO) and a device losing its translation: the same KHO and LUO, no IOMMU/iommufd/VFIO handler
    expect(lu('linux-7.1').luo).toEqual(lu('linux-7.1-sk-restore').luo);
    expect(lu('linux-7.1').iommu).toBeNull();
    expect(lu('linux-7.1').iommufd).toBeNull();
    // upgrade and rollback between the series as posted and with the restore path: every ABI the same
    const { iommufd: a, ...restA } = lu('linux-7.1-sk-v1');
    const { iommufd: b, ...restB } = lu('linux-7.1-sk-restore');
    expect(restA).toEqual(restB);
    expect(a?.compatible).toBe(b?.compatible);
    expect([a?.restore, b?.restore]).toEqual([false, true]);
    // the older LUO with fixed limits and memfd-v1, the newest without limits
    expect(lu('linux-6.19').luo?.limits).toEqual({ filesPerSession: 128, sessions: 819 });
    expect(lu('linux-6.19').memfd).toEqual({ compatible: 'memfd-v1', seals: false });
    expect(lu('linux-7.2').luo?.limits).toBeNull();
  });
  it('6.12 and 6.16 differ in allocator policy and page-table layout; every profile names itself', () => {
    const a = PROFILES['linux-6.12'];
    const b = PROFILES['linux-6.16'];
    expect(a.iovaAllocator).not.toEqual(b.iovaAllocator);
    expect(a.pageTableLayout).not.toBe(b.pageTableLayout);
    for (const [name, p] of Object.entries(PROFILES)) expect(p.name).toBe(name);
  });
});

describe('kernel names (a profile with hardening patches)', () => {
  const BOTH = 'linux-7.1-sk-restore+lu-replace-check+lu-hold-until-finish';

  it('parses a profile followed by patches, in the order given', () => {
    const spec = parseKernelName(BOTH);
    if (typeof spec === 'string') throw new Error(spec);
    expect(spec.profile).toBe(PROFILES['linux-7.1-sk-restore']);
    expect(spec.patches).toEqual(['lu-replace-check', 'lu-hold-until-finish']);
    expect(isKernelName(BOTH)).toBe(true);
    expect(hasPatch(BOTH, 'lu-hold-until-finish')).toBe(true);
    expect(hasPatch('linux-7.1-sk-restore+lu-replace-check', 'lu-hold-until-finish')).toBe(false);
    expect(hasPatch('linux-7.1-sk-restore', 'lu-replace-check')).toBe(false);
    const plain = parseKernelName('linux-6.16');
    expect(typeof plain !== 'string' && plain.patches).toEqual([]);
    for (const p of Object.values(PATCHES)) expect(p.description.length).toBeGreaterThan(20);
  });

  it('refuses an unknown profile, an unknown patch and a patch named twice, saying which', () => {
    expect(parseKernelName('linux-9.9+lu-replace-check')).toMatch(/^unknown kernel profile "linux-9\.9" \(the profiles are linux-6\.12, .*linux-7\.1-sk-restore/);
    expect(parseKernelName('linux-7.1-sk-restore+lu-replace-chek')).toBe(
      'unknown patch "lu-replace-chek" (the patches are lu-replace-check, lu-hold-until-finish, lu-hold-attachment, lu-reboot-after-finish, lu-finish-unrestored)');
    expect(parseKernelName('linux-7.1-sk-restore+lu-replace-check+lu-replace-check')).toMatch(
      /named twice in "linux-7\.1-sk-restore\+lu-replace-check\+lu-replace-check"/);
    expect(parseKernelName('linux-7.1-sk-restore+')).toMatch(/^unknown patch ""/);
    expect(isKernelName('linux-7.1-sk-restore+lu-replace-chek')).toBe(false);
  });

  it('handover replay refuses a trace whose kernel names an unknown patch (exit 2, the file and the field named)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'handover-kernel-'));
    const top = join(dir, 'top.trace.json');
    const kexec = join(dir, 'kexec.trace.json');
    writeFileSync(top, JSON.stringify({ 'handover-trace': 1, kernel: 'linux-7.1-sk-restore+lu-hold-until-finsh', config: {}, steps: [] }));
    writeFileSync(kexec, JSON.stringify({
      'handover-trace': 1, kernel: BOTH, config: {},
      steps: [{ op: 'IOMMU_IOAS_ALLOC', expect: 'ok' }, { op: 'KEXEC', kernel: 'linux-7.1-sk-restore+lu-replace-check+lu-replace-check' }],
    }));
    const root = join(import.meta.dirname, '../..');
    const r = spawnSync(process.execPath, ['src/cli/handover.js', 'replay', top, kexec], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `handover: ${top}: field kernel: unknown patch "lu-hold-until-finsh" (the patches are lu-replace-check, lu-hold-until-finish, lu-hold-attachment, lu-reboot-after-finish, lu-finish-unrestored)`,
      `handover: ${kexec}: step 1: field kernel: a patch is named twice in "linux-7.1-sk-restore+lu-replace-check+lu-replace-check"`,
    ]);
  });

  it('handover replay runs a trace on a kernel with patches', () => {
    const dir = mkdtempSync(join(tmpdir(), 'handover-kernel-'));
    const file = join(dir, 'ok.trace.json');
    writeFileSync(file, JSON.stringify({ 'handover-trace': 1, kernel: BOTH, config: {}, steps: [{ op: 'IOMMU_IOAS_ALLOC', expect: 'ok' }] }));
    const root = join(import.meta.dirname, '../..');
    const r = spawnSync(process.execPath, ['src/cli/handover.js', 'replay', file], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`${file} (kernel ${BOTH})`);
  });
});

/**
 * KEXEC (src/kernel/kexec.ts) between the kernel profiles: a same-version kexec, an upgrade and a rollback between
 * the series as posted and with its restore path, and each mismatch behaviour of domain.md §E: continue (another
 * KHO ABI: revival disabled), panic (another LUO ABI; a failed IOMMU restore), refuse (a preserved file whose
 * handler the new kernel lacks: /dev/liveupdate EIO), a device losing its translation at IOMMU init.
 */
import { describe, expect, it } from 'vitest';
import { BOOT_KERNEL_FRAMES } from '../../src/kernel/index.ts';
import { checkState } from '../../src/invariants/index.ts';
import { World, config, deepFreeze } from './harness.ts';
import { GUEST_IOVA, GUEST_PAGES, SESSION, T_CDEV, T_IOMMUFD, attachCdev, preserveAll, rebuild, retrieveAll } from './lu.ts';

const names = (w: World): string[] => w.lastViolations.map((v) => v.invariant).sort();
const everyPage = (w: World): string[] => Array.from({ length: GUEST_PAGES }, (_, i) => w.reach('dev0', GUEST_IOVA + BigInt(i) * 0x1000n));
const guestPages = Array.from({ length: GUEST_PAGES }, (_, i) => `guest:${i}`);

describe('same-version kexec', () => {
  it('the device reaches the same frames before, across and after; the new world has no fd and a restored domain', () => {
    const { w } = preserveAll();
    expect(everyPage(w)).toEqual(guestPages);
    w.ok(w.kexec('linux-7.1-sk-restore'), 'kernel_kexec:ok');
    expect(everyPage(w)).toEqual(guestPages);
    const k = w.k;
    expect(k.process.fds).toEqual([]);
    expect(k.files).toEqual([]);
    expect(k.kho.boot).toBe('kho');
    expect(k.lu.number).toBe(1);
    expect(k.domains.map((d) => [d.id, d.restored])).toEqual([[1, true]]);
    expect(k.hw.find((h) => h.device === 'dev0')).toMatchObject({ domain: 1, luClaimed: true, dmaOwner: null });
    expect(k.frames.filter((f) => f?.owner.kind === 'kernel').length).toBe(BOOT_KERNEL_FRAMES);
    expect(checkState(k)).toEqual([]);
    const r = retrieveAll(w);
    const b = rebuild(r);
    expect(everyPage(w)).toEqual(guestPages);
    attachCdev(w, r.cdev, b.hwpt);
    expect(everyPage(w)).toEqual(guestPages);
    w.ok(w.finish(r.session));
    expect(everyPage(w)).toEqual(guestPages);
  });
  it('a kexec from a kernel without LUO hands nothing over: every device back on its default domain', () => {
    const w = new World(config({ devices: [{ name: 'dev0' }] }), 'linux-6.16');
    w.bindAttach('dev0', w.newIoas());
    w.ok(w.kexec('linux-6.16'));
    expect(w.k.kho.boot).toBe('kho');
    expect(w.reach('dev0', 0n)).toBe('FAULT');
    const old = new World(config(), 'linux-6.12');
    old.ok(old.kexec('linux-7.1-sk-restore'));
    expect(old.k.kho.boot).toBe('kexec');
  });
});

describe('upgrade and rollback between the series as posted (SK-v1) and with its restore path', () => {
  it('upgrade: the restore path rebuilds and finishes what SK-v1 preserved', () => {
    const { w } = preserveAll('linux-7.1-sk-v1');
    w.ok(w.kexec('linux-7.1-sk-restore'));
    expect(everyPage(w)).toEqual(guestPages);
    const r = retrieveAll(w);
    const b = rebuild(r);
    attachCdev(w, r.cdev, b.hwpt);
    w.ok(w.finish(r.session));
    expect(everyPage(w)).toEqual(guestPages);
  });
  it('rollback: SK-v1 keeps the device on its restored domain but cannot give the iommufd back or finish', () => {
    const { w } = preserveAll('linux-7.1-sk-restore');
    w.ok(w.kexec('linux-7.1-sk-v1'));
    const s = w.fd(w.retrieveSession(w.fd(w.luOpen()), SESSION));
    w.ok(w.retrieveFd(s, T_CDEV));
    w.err(w.retrieveFd(s, T_IOMMUFD), 'EOPNOTSUPP');
    w.err(w.finish(s), 'EBUSY');
    expect(everyPage(w)).toEqual(guestPages);
  });
});

describe('mismatches (domain.md §E)', () => {
  it('continue: another KHO ABI disables revival; nothing is reserved and the new kernel reuses the frames', () => {
    const { w } = preserveAll();
    const top = w.k.hw.find((h) => h.device === 'dev0')?.pt?.top as number;
    w.strict = false;
    w.ok(w.kexec('linux-6.19'));
    expect(names(w)).toEqual(['dma-never-faults', 'fail-stop', 'no-reuse']);
    expect(w.lastViolations.find((v) => v.invariant === 'dma-never-faults')?.message).toMatch(/during the kexec/);
    expect(w.k.kho.boot).toBe('revival-disabled');
    expect(w.k.kho.incoming).toEqual([]);
    expect(w.k.frames[top]?.label).toBe('kernel:0');
    // LUO found no subtree: a fresh start (open works, the session is not there), and the device lost its translation.
    const lu = w.fd(w.luOpen());
    w.err(w.retrieveSession(lu, SESSION), 'ENOENT');
    w.ok(w.createSession(lu, SESSION));
    expect(w.reach('dev0', GUEST_IOVA)).toBe('FAULT');
  });
  it('panic: another LUO ABI (luo-v4 -> luo-v5) stops the new kernel at boot', () => {
    const { w } = preserveAll();
    expect(w.panics(w.kexec('linux-7.2'), 'luo_early_startup:incompatible')).toMatch(/luo-v5.*luo-v4/);
  });
  it('refuse and lose translation: a kernel without the IOMMU handler answers /dev/liveupdate EIO and disables translation', () => {
    const { w } = preserveAll();
    w.strict = false;
    w.ok(w.kexec('linux-7.1'));
    expect(names(w)).toEqual(['dma-never-faults', 'fail-stop']);
    expect(w.k.kho.boot).toBe('kho');
    expect(w.k.lu.broken).toBe(true);
    w.err(w.luOpen(), 'EIO');
    w.err(w.luOpen(), 'EIO');
    expect(w.reach('dev0', GUEST_IOVA)).toBe('FAULT');
    // The preserved pages stay reserved (leaked until the next reboot), never reused.
    expect(w.k.kho.incoming.length).toBe(GUEST_PAGES + 4);
  });
  it('panic: a preserved page-table page that cannot be restored is BUG_ON', () => {
    const { w } = preserveAll();
    expect(w.panics(w.kexec('linux-7.1-sk-restore', [{ name: 'restore-table-page-fails' }]), 'iommu_restore_domain:restore-failed')).toMatch(/BUG/);
  });
});

describe('reboot failures leave the old kernel running', () => {
  it('a failing freeze: EINVAL, nothing changed, and the next kexec goes through', () => {
    const { w } = preserveAll();
    const before = deepFreeze(w.k);
    w.err(w.kexec('linux-7.1-sk-restore', [{ name: 'freeze-fails', token: T_CDEV }]), 'EINVAL', 'luo_file_freeze:failed');
    expect(w.k).toBe(before);
    w.err(w.kexec('linux-7.1-sk-restore', [{ name: 'kho-finalize-fails' }]), 'EAGAIN');
    w.ok(w.kexec('linux-7.1-sk-restore'));
  });
});

describe('a second kexec before finish', () => {
  it('ends the live update the first one began: nothing re-preserves the device, which loses its translation', () => {
    const { w } = preserveAll();
    w.ok(w.kexec('linux-7.1-sk-restore'));
    w.strict = false;
    w.ok(w.kexec('linux-7.1-sk-restore'));
    expect(names(w)).toEqual(['dma-never-faults']);
    expect(w.k.lu.incoming).toEqual([]);
    expect(w.k.kho.incoming).toEqual([]);
    expect(w.reach('dev0', GUEST_IOVA)).toBe('FAULT');
  });
});

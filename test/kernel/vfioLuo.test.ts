/** The VFIO cdev handler (src/kernel/vfioLuo.ts) and the retrieved cdev's binding rules (device.ts). */
import { describe, expect, it } from 'vitest';
import { GUEST_IOVA, SESSION, T_CDEV, T_IOMMUFD, T_MEMFD, attachCdev, guestWorld, prepare, preserveAll, rebuild, retrieveAll } from './lu.ts';

describe('preserving a cdev', () => {
  it('an unattached cdev (bound or not) is preserved with no IOMMU state; the device comes back blocked and claimed', () => {
    const w = guestWorld();
    w.ok(w.bind('dev1'));
    const s = w.fd(w.createSession(w.fd(w.luOpen()), SESSION));
    w.ok(w.preserve(s, w.dev('dev1'), 1n));
    expect(w.k.lu.outgoing[0]?.files[0]?.data).toEqual({ handler: 'vfio', device: 'dev1', hwptToken: null, iommufdToken: null });
    w.ok(w.kexec('linux-7.1-sk-restore'));
    expect(w.k.hw.find((h) => h.device === 'dev1')).toEqual({ device: 'dev1', domain: 'blocked', pt: null, dmaOwner: null, luClaimed: true });
    w.err(w.vfioOpen('dev1'), 'EBUSY');
    expect(w.k.hw.find((h) => h.device === 'dev0')?.domain).toBe('default');
  });
  it('needs its HWPT marked (EINVAL) and its iommufd preserved in the same session (ENOENT)', () => {
    const w = guestWorld();
    prepare(w);
    const lu = w.fd(w.luOpen());
    const a = w.fd(w.createSession(lu, 'a'));
    const b = w.fd(w.createSession(lu, 'b'));
    w.ok(w.preserve(a, w.memfd('guest'), T_MEMFD));
    w.ok(w.preserve(a, w.ifd, T_IOMMUFD));
    w.err(w.preserve(b, w.dev('dev0'), T_CDEV), 'ENOENT', 'iommufd_device_preserve:iommufd-not-preserved');
    w.ok(w.preserve(a, w.dev('dev0'), T_CDEV));
  });
});

describe('the retrieved cdev', () => {
  it('binds only to the iommufd retrieved from its session, and binding keeps the restored translation', () => {
    const { w } = preserveAll();
    w.ok(w.kexec('linux-7.1-sk-restore'));
    const s = w.fd(w.retrieveSession(w.fd(w.luOpen()), SESSION));
    const cdev = w.fd(w.retrieveFd(s, T_CDEV));
    const fresh = w.fd(w.iommufdOpen());
    const bind = (iommufd: number) => ({ op: 'VFIO_DEVICE_BIND_IOMMUFD' as const, fd: cdev, arg: { flags: 0, iommufd } });
    w.err(bind(fresh), 'EPERM', 'vfio_df_ioctl_bind_iommufd:lu-iommufd');
    const ifd = w.fd(w.retrieveFd(s, T_IOMMUFD));
    w.ok(bind(ifd));
    expect(w.reach('dev0', GUEST_IOVA + 0x5000n)).toBe('guest:5');
    expect(w.k.hw.find((h) => h.device === 'dev0')?.luClaimed).toBe(true);
  });
  it('after finish the device is no longer claimed: its cdev can be opened again once the retrieved one is closed', () => {
    const { w } = preserveAll();
    w.ok(w.kexec('linux-7.1-sk-restore'));
    const r = retrieveAll(w);
    const b = rebuild(r);
    attachCdev(w, r.cdev, b.hwpt);
    w.ok(w.finish(r.session));
    expect(w.k.hw.find((h) => h.device === 'dev0')?.luClaimed).toBe(false);
    w.ok(w.vfioOpen('dev0'));
  });
});

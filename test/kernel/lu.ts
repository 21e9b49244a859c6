/**
 * Live-update worlds for the kernel tests: the Google series' selftest flow (samikhawaja/linux
 * iommufd_liveupdate_kexec_test.c setup_iommufd(), and the restore-path iommufd_liveupdate.c) as reusable steps.
 * A 16-page guest memfd sealed GROW|SHRINK|SEAL, a PCI device dev0 bound, an IOAS with one HWPT the device is
 * attached to, the whole memfd mapped at 4 GiB, the HWPT marked with token HWPT_TOKEN; then /dev/liveupdate, one
 * session "vm" with the memfd, the iommufd and the cdev preserved (tokens T_MEMFD, T_IOMMUFD, T_CDEV).
 */
import { F_SEALS, IOMMU_OPTION_IDS, IOMMU_OPTION_OPS, type Syscall } from '../../src/kernel/index.ts';
import { FIXED, P, RW, World, config } from './harness.ts';

export const GUEST_IOVA = 1n << 32n;
export const GUEST_PAGES = 16;
export const HWPT_TOKEN = 0x789012n;
export const T_MEMFD = 0x1n;
export const T_IOMMUFD = 0x2n;
export const T_CDEV = 0x3n;
export const SESSION = 'vm';

/**
 * The shape of the guest: its memfd's size in pages and the IOVA it is mapped at (default 16 pages at 4 GiB).
 * HUGE_GUEST is the shape whose mapping has 2 MiB leaves (see test/invariants/dmaNeverFaults.test.ts): 1024 pages at
 * 4 GiB + 4 KiB, pages 511..1022 2 MiB-aligned in IOVA and in physical memory.
 */
export interface GuestShape {
  pages?: number;
  iova?: bigint;
}
export const HUGE_GUEST = { pages: 1024, iova: GUEST_IOVA + P } as const;

/** A world with memfd `guest` (16 pages unless `extra.pages`), PCI devices dev0 and dev1, on kernel `profile`. */
export function guestWorld(profile = 'linux-7.1-sk-restore', extra: { breakBeforeMake?: boolean; pages?: number } = {}): World {
  return new World(config({
    memfds: [{ name: 'guest', pages: extra.pages ?? GUEST_PAGES }],
    devices: [{ name: 'dev0', ...(extra.breakBeforeMake ? { breakBeforeMake: true } : {}) }, { name: 'dev1' }],
  }), profile);
}

/** The ids of the prepared iommufd objects. */
export interface Prepared {
  devid: number;
  ioas: number;
  hwpt: number;
}

/** setup_iommufd(): seals, bind, IOAS, HWPT, attach, MAP_FILE of the whole memfd at 4 GiB, mark the HWPT. */
export function prepare(w: World, opts: { seal?: boolean; mark?: boolean } & GuestShape = {}): Prepared {
  if (opts.seal ?? true) w.ok(w.seals(w.memfd('guest'), F_SEALS.GROW | F_SEALS.SHRINK | F_SEALS.SEAL));
  const devid = w.ok(w.bind('dev0')).out_devid as number;
  const ioas = w.newIoas();
  const hwpt = w.ok(w.hwptAlloc({ dev_id: devid, pt_id: ioas })).out_hwpt_id as number;
  w.ok(w.attach('dev0', hwpt));
  const length = BigInt(opts.pages ?? GUEST_PAGES) * P;
  w.ok(w.mapFile({ ioas_id: ioas, fd: w.memfd('guest'), length, iova: opts.iova ?? GUEST_IOVA, flags: RW | FIXED }));
  if (opts.mark ?? true) w.ok(w.setPreserve(hwpt, HWPT_TOKEN));
  return { devid, ioas, hwpt };
}

/** The fds of a live update in progress in the old kernel. */
export interface Preserved extends Prepared {
  w: World;
  lu: number;
  session: number;
}

/** prepare(), then /dev/liveupdate, session "vm", and the memfd, iommufd and cdev preserved in that order. */
export function preserveAll(profile = 'linux-7.1-sk-restore', extra: { breakBeforeMake?: boolean } & GuestShape = {}): Preserved {
  const w = guestWorld(profile, extra);
  const p = prepare(w, { ...(extra.pages !== undefined ? { pages: extra.pages } : {}), ...(extra.iova !== undefined ? { iova: extra.iova } : {}) });
  const lu = w.fd(w.luOpen());
  const session = w.fd(w.createSession(lu, SESSION));
  w.ok(w.preserve(session, w.memfd('guest'), T_MEMFD));
  w.ok(w.preserve(session, w.ifd, T_IOMMUFD));
  w.ok(w.preserve(session, w.dev('dev0'), T_CDEV));
  return { w, lu, session, ...p };
}

/** The fds of a retrieved live update in the new kernel. */
export interface Retrieved {
  w: World;
  lu: number;
  session: number;
  ifd: number;
  cdev: number;
  guest: number;
}

/** After a kexec: /dev/liveupdate, the session retrieved, then the iommufd, the cdev and the memfd retrieved. */
export function retrieveAll(w: World): Retrieved {
  const lu = w.fd(w.luOpen());
  const session = w.fd(w.retrieveSession(lu, SESSION));
  const ifd = w.fd(w.retrieveFd(session, T_IOMMUFD));
  const cdev = w.fd(w.retrieveFd(session, T_CDEV));
  const guest = w.fd(w.retrieveFd(session, T_MEMFD));
  return { w, lu, session, ifd, cdev, guest };
}

/** How the rebuild maps the retrieved memfd (defaults: the whole guest, read-write, at its IOVA, huge pages on). */
export interface RebuildOpts extends GuestShape {
  /** Bytes mapped (default: the whole guest). */
  length?: bigint;
  /** IOMMU_IOAS_MAP_FILE flags besides FIXED_IOVA (default READABLE | WRITEABLE). */
  prot?: number;
  /** false: IOMMU_OPTION HUGE_PAGES=0 on the rebuilt IOAS before the map. */
  hugePages?: boolean;
}

/**
 * The rebuild in the new kernel: bind the cdev, IOAS, reclaim the HWPT, map the memfd (at `start`), a new HWPT.
 * `bind: false` when the cdev is bound already (a second rebuild).
 */
export function rebuild(r: Retrieved, start = 0n, opts: RebuildOpts & { bind?: boolean; restore?: boolean } = {}): { devid: number; ioas: number; restored: number; hwpt: number } {
  const { w, ifd, cdev, guest } = r;
  const devid = opts.bind === false ? -1 : w.ok({ op: 'VFIO_DEVICE_BIND_IOMMUFD', fd: cdev, arg: { flags: 0, iommufd: ifd } }).out_devid as number;
  const ioas = w.ok({ op: 'IOMMU_IOAS_ALLOC', fd: ifd, arg: { flags: 0 } }).out_ioas_id as number;
  const restored = opts.restore === false ? -1 : w.ok(w.luRestore(HWPT_TOKEN, ifd)).pt_id as number;
  if (opts.hugePages === false) {
    w.ok({ op: 'IOMMU_OPTION', fd: ifd, arg: { option_id: IOMMU_OPTION_IDS.HUGE_PAGES, op: IOMMU_OPTION_OPS.SET, __reserved: 0, object_id: ioas, val64: 0n } });
  }
  const length = opts.length ?? BigInt(opts.pages ?? GUEST_PAGES) * P;
  w.ok({ op: 'IOMMU_IOAS_MAP_FILE', fd: ifd, arg: { flags: (opts.prot ?? RW) | FIXED, ioas_id: ioas, fd: guest, start, length, iova: opts.iova ?? GUEST_IOVA } });
  const hwpt = w.ok({ op: 'IOMMU_HWPT_ALLOC', fd: ifd, arg: { flags: 0, dev_id: devid, pt_id: ioas, __reserved: 0, data_type: 0, data_len: 0, fault_id: 0 } }).out_hwpt_id as number;
  return { devid, ioas, restored, hwpt };
}

/** The replace of the retrieved device onto a HWPT (attach through the retrieved cdev). */
export function attachCdev(w: World, cdev: number, pt_id: number): Record<string, unknown> {
  return w.ok(attachCdevCall(cdev, pt_id));
}

/** VFIO_DEVICE_ATTACH_IOMMUFD_PT on a retrieved cdev (the call, not run). */
export function attachCdevCall(cdev: number, pt_id: number): Syscall {
  return { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', fd: cdev, arg: { flags: 0, pt_id, pasid: 0 } };
}

/** VFIO_DEVICE_DETACH_IOMMUFD_PT on a retrieved cdev (the call, not run). */
export function detachCdevCall(cdev: number): Syscall {
  return { op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', fd: cdev, arg: { flags: 0, pasid: 0 } };
}

/**
 * The VMM of S4 hitless-replace (domain.md §D.5), shared by both variants: the procedure of the series' selftest
 * (samikhawaja/linux tools/testing/selftests/iommu/iommufd_liveupdate.c, restore-path version; setup_iommufd() of
 * iommufd_liveupdate_kexec_test.c, SK-v1 14/14) and what an adversarial VMM may do instead or besides.
 *
 * Before the kexec: a sealed guest memfd mapped at a fixed IOVA through a HWPT the device is attached to; the HWPT
 * marked for preservation; memfd, iommufd and the device's cdev preserved in one LUO session. After it: everything
 * retrieved, the preserved HWPT restored as an object, the IOAS rebuilt from the retrieved memfd, a new HWPT on it,
 * the device replaced onto it (hitless), FINISH.
 *
 * The adversary's calls, by id: instead of the rebuild, `wrong-offset`, `read-only`, `half`; at any point,
 * `detach-before-kexec`, `kexec-again`, `huge-pages-off`, `unmap-guest`, `detach` (each only where its labels are
 * bound: the pre-kexec names before the kexec, the retrieved ones after).
 */
import type { Environment, ScriptStep, Vmm, VmmCall } from '../../strategy.ts';
import type { Step } from '../../../src/trace/types.ts';

/** Where the guest is mapped: 4 GiB + 4 KiB, so that a big enough guest has 2 MiB-aligned stretches (2 MiB leaves). */
export const GUEST_IOVA = 0x1_0000_1000n;
const PAGE = 0x1000n;
const HWPT_TOKEN = '0x789012';
const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** The guest memfd's size in pages (the environment's `guest` memfd). */
function guestPages(env: Environment): bigint {
  const m = env.config.memfds?.find((x) => x.name === 'guest');
  if (!m) throw new Error('S4 needs a memfd named "guest" in the environment config');
  return BigInt(m.pages);
}

const at = (step: Step, why: string, instead?: VmmCall[]): ScriptStep => (instead ? { step, why, instead } : { step, why });

/** The procedure and the adversarial menu for a world. */
export function s4Vmm(env: Environment): Vmm {
  const pages = guestPages(env);
  const length = pages * PAGE;
  const map = (fields: Partial<Extract<Step, { op: 'IOMMU_IOAS_MAP_FILE' }>>): Step => ({
    op: 'IOMMU_IOAS_MAP_FILE', iommufd: 'ifd', ioas_id: 'ioas2', fd: 'guest2', flags: ['FIXED_IOVA', 'READABLE', 'WRITEABLE'],
    start: '0x0', length: hex(length), iova: hex(GUEST_IOVA), ...fields,
  } as Step);
  const script: ScriptStep[] = [
    at({ op: 'F_ADD_SEALS', fd: 'guest', seals: ['GROW', 'SHRINK', 'SEAL'] }, 'seal the guest memfd (the iommufd preserve checks the seals recorded at map time)'),
    at({ op: 'VFIO_DEVICE_BIND_IOMMUFD', device: 'dev0', as: 'devid' }, 'bind the device to the iommufd'),
    at({ op: 'IOMMU_IOAS_ALLOC', as: 'ioas' }, 'an IOAS for the guest'),
    at({ op: 'IOMMU_HWPT_ALLOC', dev_id: 'devid', pt_id: 'ioas', as: 'hwpt' }, 'a HWPT (domain) on it'),
    at({ op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'dev0', pt_id: 'hwpt' }, 'attach the device'),
    at({ op: 'IOMMU_IOAS_MAP_FILE', ioas_id: 'ioas', fd: 'guest', flags: ['FIXED_IOVA', 'READABLE', 'WRITEABLE'], start: '0x0', length: hex(length), iova: hex(GUEST_IOVA) } as Step, 'map the whole guest at its fixed IOVA'),
    at({ op: 'IOMMU_HWPT_LU_SET_PRESERVE', hwpt_id: 'hwpt', hwpt_token: HWPT_TOKEN } as Step, 'mark the HWPT for preservation'),
    at({ op: 'LIVEUPDATE_OPEN', as: 'lu' }, 'open /dev/liveupdate'),
    at({ op: 'LIVEUPDATE_IOCTL_CREATE_SESSION', name: 'vm', as: 'session' } as Step, 'a session for the VM'),
    at({ op: 'LIVEUPDATE_SESSION_PRESERVE_FD', session: 'session', fd: 'guest', token: '0x1' } as Step, 'preserve the guest memfd'),
    at({ op: 'LIVEUPDATE_SESSION_PRESERVE_FD', session: 'session', fd: 'iommufd', token: '0x2' } as Step, 'preserve the iommufd (the marked HWPT with it; the IOAS becomes immutable)'),
    at({ op: 'LIVEUPDATE_SESSION_PRESERVE_FD', session: 'session', fd: 'dev0', token: '0x3' } as Step, "preserve the device's cdev (its attachment with it)"),
    at({ op: 'KEXEC' }, 'kexec into the new kernel'),
    at({ op: 'LIVEUPDATE_OPEN', as: 'lu2' }, 'open /dev/liveupdate in the new kernel'),
    at({ op: 'LIVEUPDATE_IOCTL_RETRIEVE_SESSION', name: 'vm', as: 's2' } as Step, 'retrieve the session'),
    at({ op: 'LIVEUPDATE_SESSION_RETRIEVE_FD', session: 's2', token: '0x2', as: 'ifd' } as Step, 'retrieve the iommufd'),
    at({ op: 'LIVEUPDATE_SESSION_RETRIEVE_FD', session: 's2', token: '0x3', as: 'cdev' } as Step, "retrieve the device's cdev"),
    at({ op: 'LIVEUPDATE_SESSION_RETRIEVE_FD', session: 's2', token: '0x1', as: 'guest2' } as Step, 'retrieve the guest memfd (same frames, same offsets)'),
    at({ op: 'VFIO_DEVICE_BIND_IOMMUFD', device: 'cdev', iommufd: 'ifd', as: 'devid2' }, 'bind the retrieved cdev to the retrieved iommufd'),
    at({ op: 'IOMMU_IOAS_ALLOC', iommufd: 'ifd', as: 'ioas2' }, 'a new IOAS to rebuild'),
    at({ op: 'IOMMU_HWPT_LU_RESTORE', iommufd: 'ifd', hwpt_token: HWPT_TOKEN, as: 'restored' } as Step, 'take the restored domain back as a HWPT object'),
    at(map({}), 'rebuild: map the retrieved guest memfd at the same IOVA, same offset, same prot', [
      { step: map({ start: hex(PAGE), length: hex(length - PAGE) }), why: 'rebuild from the wrong memfd offset (one page off)', id: 'wrong-offset' },
      { step: map({ flags: ['FIXED_IOVA', 'READABLE'] }), why: 'rebuild read-only', id: 'read-only' },
      { step: map({ length: hex((pages / 2n) * PAGE) }), why: 'rebuild only the first half of the guest', id: 'half' },
    ]),
    at({ op: 'IOMMU_HWPT_ALLOC', iommufd: 'ifd', dev_id: 'devid2', pt_id: 'ioas2', as: 'hwpt2' }, 'a new HWPT on the rebuilt IOAS'),
    at({ op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'cdev', pt_id: 'hwpt2' }, 'the hitless replace: from the restored domain onto the rebuilt one'),
    at({ op: 'LIVEUPDATE_SESSION_FINISH', session: 's2' } as Step, 'finish the live update'),
  ];
  const menu: VmmCall[] = [
    { step: { op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', device: 'dev0' } as Step, why: 'detach the device after its cdev is preserved, before the kexec', id: 'detach-before-kexec' },
    { step: { op: 'KEXEC' }, why: 'kexec again before FINISH', id: 'kexec-again', when: ['restored', 'retrieving', 'replaced'] },
    { step: { op: 'IOMMU_OPTION', iommufd: 'ifd', option_id: 'HUGE_PAGES', option_op: 'SET', object_id: 'ioas2', val64: '0x0' } as Step, why: 'turn off huge pages on the rebuilt IOAS (its domain then uses base-page leaves)', id: 'huge-pages-off' },
    // The rebuild maps the guest as one area, and an unmap cannot split an area (iopt_unmap_iova_range(): ENOENT,
    // selftest iommufd_ioas.area): the adversary unmaps the whole area.
    { step: { op: 'IOMMU_IOAS_UNMAP', iommufd: 'ifd', ioas_id: 'ioas2', iova: hex(GUEST_IOVA), length: hex(length) } as Step, why: 'unmap the rebuilt guest mapping', id: 'unmap-guest' },
    { step: { op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', device: 'cdev' } as Step, why: 'detach the device', id: 'detach' },
  ];
  return { script, menu };
}

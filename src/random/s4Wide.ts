/**
 * A wider S4 hitless-replace VMM for the random runs (issue 6): the VMM of machines/strategies/s4-hitless-replace
 * (`s4Vmm`, not edited) with a larger adversarial menu, and, in a world with a second device `dev1`, a procedure that
 * carries that device through the live update too.
 *
 * What this adds to `s4Vmm(env)`:
 * - Procedure (only when the config has a device `dev1`): dev1 is bound and attached to the same HWPT as dev0 before
 *   the kexec, its cdev preserved in the same session (token 0x4), retrieved, bound to the retrieved iommufd and
 *   replaced onto the rebuilt HWPT after dev0. Always: a scratch IOAS `ioas3` with a HWPT `hwpt3` on it after the
 *   restore of the preserved HWPT (the procedure never maps into it; it gives the adversary a second IOAS to copy
 *   into and replace onto). They come after IOMMU_HWPT_LU_RESTORE so that destroying them cannot free an id the
 *   restored HWPT then takes (ids are reused lowest first), which would make a later destroy by their label destroy
 *   the restored HWPT: the model refuses that as not modelled, and a not-modelled call stops lifecycleModel.
 * - Menu (the rebuilt IOAS is never destroyed: before the restore, its id could pass to the restored HWPT, see
 *   above; an unmap of part of an area is ENOENT, iopt_unmap_iova_range(), so unmaps take whole areas or fail):
 *   before the kexec, extra maps and unmaps of the guest, a resizing ftruncate, detaching, destroying, closing
 *   the session and a KEXEC before anything is preserved; after it, maps of the retrieved memfd elsewhere, unmaps of
 *   various ranges, copies, destroys of the rebuilt and restored objects, extra HWPTs, replaces onto other HWPTs (and
 *   back onto the restored one), detaches, seals and ftruncates of the retrieved memfd, an early FINISH, a second
 *   restore, closing the session, and a KEXEC again.
 *
 * Every call is a valid trace step: lifecycleModel() checks each one at construction, as the trace loader would.
 * A menu call may only name labels the procedure binds (that is what the check allows), so a label bound by a menu
 * call (`as`) is never used by another.
 */
import type { Environment, ScriptStep, Strategy, Vmm, VmmCall } from '../../machines/strategy.ts';
import { GUEST_IOVA, s4Vmm } from '../../machines/strategies/s4-hitless-replace/vmm.ts';
import type { Step } from '../trace/types.ts';

const PAGE = 0x1000n;
const hex = (v: bigint): string => `0x${v.toString(16)}`;
/** A second IOVA, well away from the guest's (1 GiB above it). */
const OTHER_IOVA = GUEST_IOVA + 0x4000_0000n;

function guestPages(env: Environment): bigint {
  const m = env.config.memfds?.find((x) => x.name === 'guest');
  if (!m) throw new Error('S4 needs a memfd named "guest" in the environment config');
  return BigInt(m.pages);
}

/** Whether the world has the second device. */
function hasDev1(env: Environment): boolean {
  return (env.config.devices ?? []).some((d) => d.name === 'dev1');
}

/** Inserts `steps` after the first script step satisfying `where`. */
function insertAfter(script: ScriptStep[], where: (s: ScriptStep) => boolean, steps: ScriptStep[]): ScriptStep[] {
  const i = script.findIndex(where);
  if (i < 0) throw new Error('s4Wide: the S4 procedure changed; the anchor of an inserted step is gone');
  return [...script.slice(0, i + 1), ...steps, ...script.slice(i + 1)];
}

const op = (s: ScriptStep, name: string, f?: (st: Record<string, unknown>) => boolean): boolean =>
  s.step.op === name && (f === undefined || f(s.step as unknown as Record<string, unknown>));

/** The wider VMM for a world. */
export function s4WideVmm(env: Environment): Vmm {
  const base = s4Vmm(env);
  const pages = guestPages(env);
  const length = pages * PAGE;
  let script = base.script;
  const at = (step: Step, why: string): ScriptStep => ({ step, why });

  script = insertAfter(script, (s) => op(s, 'IOMMU_HWPT_LU_RESTORE'), [
    at({ op: 'IOMMU_IOAS_ALLOC', iommufd: 'ifd', as: 'ioas3' }, 'a scratch IOAS (wider VMM: the adversary copies into it and replaces onto it)'),
    at({ op: 'IOMMU_HWPT_ALLOC', iommufd: 'ifd', dev_id: 'devid2', pt_id: 'ioas3', as: 'hwpt3' }, 'a HWPT on the scratch IOAS'),
  ]);
  if (hasDev1(env)) {
    script = insertAfter(script, (s) => op(s, 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', (x) => x['device'] === 'dev0'), [
      at({ op: 'VFIO_DEVICE_BIND_IOMMUFD', device: 'dev1', as: 'devid1' }, 'bind the second device'),
      at({ op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'dev1', pt_id: 'hwpt' }, 'attach the second device to the same HWPT'),
    ]);
    script = insertAfter(script, (s) => op(s, 'LIVEUPDATE_SESSION_PRESERVE_FD', (x) => x['fd'] === 'dev0'), [
      at({ op: 'LIVEUPDATE_SESSION_PRESERVE_FD', session: 'session', fd: 'dev1', token: '0x4' } as Step, "preserve the second device's cdev"),
    ]);
    script = insertAfter(script, (s) => op(s, 'LIVEUPDATE_SESSION_RETRIEVE_FD', (x) => x['as'] === 'cdev'), [
      at({ op: 'LIVEUPDATE_SESSION_RETRIEVE_FD', session: 's2', token: '0x4', as: 'cdev1' } as Step, "retrieve the second device's cdev"),
    ]);
    script = insertAfter(script, (s) => op(s, 'VFIO_DEVICE_BIND_IOMMUFD', (x) => x['device'] === 'cdev'), [
      at({ op: 'VFIO_DEVICE_BIND_IOMMUFD', device: 'cdev1', iommufd: 'ifd', as: 'devid3' }, 'bind the second retrieved cdev'),
    ]);
    script = insertAfter(script, (s) => op(s, 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', (x) => x['device'] === 'cdev'), [
      at({ op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'cdev1', pt_id: 'hwpt2' }, 'the hitless replace of the second device'),
    ]);
  }

  const m = (id: string, why: string, step: Record<string, unknown>): VmmCall => ({ id, why, step: step as unknown as Step });
  const mapFile = (fields: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries({
    op: 'IOMMU_IOAS_MAP_FILE', iommufd: 'ifd', ioas_id: 'ioas2', fd: 'guest2', flags: ['FIXED_IOVA', 'READABLE', 'WRITEABLE'],
    start: '0x0', length: hex(length), iova: hex(GUEST_IOVA), ...fields,
  }).filter(([, v]) => v !== undefined));
  const unmap = (ioas: string, iova: bigint, len: bigint): Record<string, unknown> =>
    ({ op: 'IOMMU_IOAS_UNMAP', iommufd: 'ifd', ioas_id: ioas, iova: hex(iova), length: hex(len) });
  const half = (pages / 2n) * PAGE;
  const menu: VmmCall[] = [
    ...base.menu,
    // Before the kexec.
    m('pre-map-second', 'map the guest a second time at another IOVA before the kexec', { op: 'IOMMU_IOAS_MAP_FILE', ioas_id: 'ioas', fd: 'guest', flags: ['FIXED_IOVA', 'READABLE', 'WRITEABLE'], start: '0x0', length: hex(length), iova: hex(OTHER_IOVA) }),
    m('pre-map-auto', 'map the second half of the guest at an IOVA the kernel picks, before the kexec', { op: 'IOMMU_IOAS_MAP_FILE', ioas_id: 'ioas', fd: 'guest', flags: ['READABLE'], start: hex(half), length: hex(length - half) }),
    m('pre-unmap-all', 'unmap everything before the kexec', { op: 'IOMMU_IOAS_UNMAP', ioas_id: 'ioas', iova: '0x0', length: '0xffffffffffffffff' }),
    m('pre-ftruncate', 'grow the guest memfd before the kexec', { op: 'FTRUNCATE', fd: 'guest', length: hex(2n * length) }),
    m('pre-close-session', 'close the outgoing session (unpreserves everything in it)', { op: 'CLOSE', fd: 'session' }),
    // After the kexec: the rebuilt IOAS.
    m('map-elsewhere', 'map the retrieved guest memfd a second time at another IOVA', mapFile({ iova: hex(OTHER_IOVA) })),
    m('map-auto', 'map the retrieved guest memfd at an IOVA the kernel picks', mapFile({ flags: ['READABLE', 'WRITEABLE'], iova: undefined })),
    m('map-tail', 'map only the last page of the guest at its place', mapFile({ start: hex(length - PAGE), length: hex(PAGE), iova: hex(GUEST_IOVA + length - PAGE) })),
    m('unmap-all', 'unmap everything from the rebuilt IOAS', { op: 'IOMMU_IOAS_UNMAP', iommufd: 'ifd', ioas_id: 'ioas2', iova: '0x0', length: '0xffffffffffffffff' }),
    m('unmap-last', 'unmap the last guest page from the rebuilt IOAS', unmap('ioas2', GUEST_IOVA + length - PAGE, PAGE)),
    m('unmap-elsewhere', 'unmap the second mapping', unmap('ioas2', OTHER_IOVA, length)),
    m('copy-to-scratch', 'copy the rebuilt guest mapping into the scratch IOAS at the same IOVA', { op: 'IOMMU_IOAS_COPY', iommufd: 'ifd', src_ioas_id: 'ioas2', dst_ioas_id: 'ioas3', src_iova: hex(GUEST_IOVA), dst_iova: hex(GUEST_IOVA), length: hex(length), flags: ['FIXED_IOVA', 'READABLE', 'WRITEABLE'] }),
    m('copy-half-to-scratch', 'copy half the guest into the scratch IOAS, read-only', { op: 'IOMMU_IOAS_COPY', iommufd: 'ifd', src_ioas_id: 'ioas2', dst_ioas_id: 'ioas3', src_iova: hex(GUEST_IOVA), dst_iova: hex(GUEST_IOVA), length: hex(half), flags: ['FIXED_IOVA', 'READABLE'] }),
    m('copy-within', 'copy the guest within the rebuilt IOAS to another IOVA', { op: 'IOMMU_IOAS_COPY', iommufd: 'ifd', src_ioas_id: 'ioas2', dst_ioas_id: 'ioas2', src_iova: hex(GUEST_IOVA), dst_iova: hex(OTHER_IOVA), length: hex(length), flags: ['FIXED_IOVA', 'READABLE', 'WRITEABLE'] }),
    m('scratch-map', 'map the retrieved guest memfd into the scratch IOAS, as the procedure maps the rebuilt one', mapFile({ ioas_id: 'ioas3' })),
    m('scratch-map-offset', 'map the retrieved guest memfd into the scratch IOAS one page off', mapFile({ ioas_id: 'ioas3', start: hex(PAGE), length: hex(length - PAGE) })),
    m('scratch-unmap-all', 'unmap everything from the scratch IOAS', { op: 'IOMMU_IOAS_UNMAP', iommufd: 'ifd', ioas_id: 'ioas3', iova: '0x0', length: '0xffffffffffffffff' }),
    // Objects.
    m('destroy-hwpt2', 'destroy the rebuilt HWPT', { op: 'IOMMU_DESTROY', iommufd: 'ifd', id: 'hwpt2' }),
    m('destroy-hwpt3', 'destroy the scratch HWPT', { op: 'IOMMU_DESTROY', iommufd: 'ifd', id: 'hwpt3' }),
    m('destroy-ioas3', 'destroy the scratch IOAS', { op: 'IOMMU_DESTROY', iommufd: 'ifd', id: 'ioas3' }),
    m('hwpt-alloc', 'another HWPT on the rebuilt IOAS', { op: 'IOMMU_HWPT_ALLOC', iommufd: 'ifd', dev_id: 'devid2', pt_id: 'ioas2', as: 'hwpt4' }),
    m('restore-again', 'take the restored domain back a second time', { op: 'IOMMU_HWPT_LU_RESTORE', iommufd: 'ifd', hwpt_token: '0x789012', as: 'restored2' }),
    // The device.
    m('attach-scratch', 'replace the device onto the scratch HWPT', { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'cdev', pt_id: 'hwpt3' }),
    m('attach-ioas2', 'attach the device to the rebuilt IOAS (an automatic HWPT)', { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'cdev', pt_id: 'ioas2' }),
    m('attach-restored', 'put the device back on the restored HWPT', { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'cdev', pt_id: 'restored' }),
    m('attach-hwpt2', 'replace the device onto the rebuilt HWPT (out of order)', { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'cdev', pt_id: 'hwpt2' }),
    // The retrieved memfd.
    m('seal-write', 'seal the retrieved guest memfd against writes', { op: 'F_ADD_SEALS', fd: 'guest2', seals: ['WRITE'] }),
    m('seal-size', 'seal the retrieved guest memfd against resizing', { op: 'F_ADD_SEALS', fd: 'guest2', seals: ['GROW', 'SHRINK', 'SEAL'] }),
    m('shrink', 'shrink the retrieved guest memfd to half', { op: 'FTRUNCATE', fd: 'guest2', length: hex(half) }),
    m('grow', 'grow the retrieved guest memfd', { op: 'FTRUNCATE', fd: 'guest2', length: hex(2n * length) }),
    // The session.
    m('finish-early', 'finish the live update at any point', { op: 'LIVEUPDATE_SESSION_FINISH', session: 's2' }),
    m('close-session', 'close the retrieved session (that finishes it)', { op: 'CLOSE', fd: 's2' }),
  ];
  if (hasDev1(env)) {
    menu.push(
      m('pre-detach-dev1', 'detach the second device before the kexec', { op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', device: 'dev1' }),
      m('attach-dev1-scratch', 'replace the second device onto the scratch HWPT', { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'cdev1', pt_id: 'hwpt3' }),
      m('attach-dev1-restored', 'put the second device back on the restored HWPT', { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'cdev1', pt_id: 'restored' }),
      m('detach-dev1', 'detach the second device', { op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', device: 'cdev1' }),
    );
  }
  return { script, menu };
}

/** A strategy variant of S4 run with the wider VMM (same kernel patches, same name: its traces name the variant). */
export function withWideVmm(strategy: Strategy): Strategy {
  return { ...strategy, title: `${strategy.title} (random runs: wider VMM)`, vmm: s4WideVmm };
}

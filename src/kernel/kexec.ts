/**
 * KEXEC: reboot(LINUX_REBOOT_CMD_KEXEC) from the running kernel into another profile, and that kernel's boot, as one
 * transition. The order is the kernels' own:
 *
 * 1. Old kernel, liveupdate_reboot(): every outgoing session's files are frozen in order (a failing freeze unfreezes
 *    the ones before it and reboot() fails EINVAL), then kho_finalize() (failure: EAGAIN). A failed reboot changes
 *    nothing: the old kernel runs on.
 * 2. The jump. Physical memory keeps its content; the devices keep doing DMA through the tables their context
 *    entries point at.
 * 3. New kernel, early boot: kho_populate() accepts the KHO FDT when its compatible is this kernel's (every
 *    preserved frame reserved: `incoming`), else warns "disabling KHO revival" and reserves nothing. Every other
 *    frame is free; the kernel's own early allocations (BOOT_KERNEL_FRAMES frames of kernel data) take the lowest
 *    free frames, which are frames the old kernel used.
 * 4. LUO early startup: an incompatible LUO compatible panics (luo_restore_fail). No LUO subtree (no KHO data, or a
 *    kernel without LUO): a fresh start.
 * 5. IOMMU init and device probe: with the IOMMU live-update handler, every preserved device's domain is restored
 *    from its table pages (kho_restore_folio of each: a failure is BUG_ON, a panic) and the device re-attached
 *    with DMA ownership claimed; every other device's translation is cleared. Without the handler, translation
 *    left enabled by the previous kernel is disabled ("not in kdump mode"): every device loses it.
 * 6. LUO deserialization (the kernel does it at the first open of /dev/liveupdate; it is deterministic, so it is
 *    done here): the incoming sessions and files; a file whose handler compatible this kernel lacks makes every open
 *    EIO.
 *
 * The old kernel's processes and files are gone: the new world has one fresh process holding no fd, with the
 * config's buffers mapped anew. History records of outgoing sessions carry over (their domains renamed to the
 * restored ones); those of the old kernel's incoming sessions end with it.
 */
import type { KexecFault } from './uapi.ts';
import type { Domain, Frame, HwDevice, Kernel, LuHistory, LuoFile, LuoFileData, LuoSession, Pfn } from './types.ts';
import { hasPatch, profileOf, type LiveUpdateProfile } from './profiles.ts';
import { done, fail, panic, type Outcome } from './outcome.ts';
import { domainInsert, domainTableFrames, nextDomainId } from './domain.ts';
import { hasPfn, khoRestore } from './kho.ts';
import { luRebootRefused } from './luHardening.ts';

/** Frames of kernel data a kexec'ed kernel allocates at boot (MODELLING ASSUMPTION: two, enough to show reuse). */
export const BOOT_KERNEL_FRAMES = 2;

/** The compatible of a preserved file's handler in one kernel, or null when that kernel has no such handler. */
function handlerCompat(lu: LiveUpdateProfile, handler: LuoFileData['handler']): string | null {
  switch (handler) {
    case 'memfd':
      return lu.memfd?.compatible ?? null;
    case 'iommufd':
      return lu.iommufd?.compatible ?? null;
    case 'vfio':
      return lu.vfio?.compatible ?? null;
  }
}

/** liveupdate_reboot(): the freeze of every preserved file, in order, then kho_finalize(). Null when it succeeds. */
function reboot(k: Kernel, faults: readonly KexecFault[]): Outcome | null {
  // Hardening patch lu-reboot-after-finish (profiles.ts PATCHES): not in any posted kernel.
  if (luRebootRefused(k)) return fail('liveupdate_reboot:lu-unfinished');
  const old = profileOf(k.profile).liveUpdate;
  if (old.luo) {
    for (const s of k.lu.outgoing) {
      for (const f of s.files) {
        if (faults.some((x) => x.name === 'freeze-fails' && x.token === f.token)) return fail('luo_file_freeze:failed');
      }
    }
  }
  if (old.kho && faults.some((x) => x.name === 'kho-finalize-fails')) return fail('liveupdate_reboot:kho-finalize');
  return null;
}

/**
 * The device records of the old kernel's IOMMU state: device -> the preserved domain it must come back on.
 * MODELLING ASSUMPTION (domain.md: what iommu_preserve_device() records is per device at preserve time): a detach or
 * replace after the cdev was preserved does not change what the new kernel restores; the history keeps the
 * translations of that time, so dma-never-faults sees the change.
 */
function preservedDevices(k: Kernel): Map<string, { domain: number | null }> {
  const out = new Map<string, { domain: number | null }>();
  for (const s of k.lu.outgoing) {
    for (const f of s.files) {
      if (f.data.handler !== 'vfio') continue;
      const { device, hwptToken, iommufdToken } = f.data;
      let domain: number | null = null;
      if (hwptToken !== null) {
        const ifile = s.files.find((x) => x.token === iommufdToken && x.data.handler === 'iommufd');
        if (ifile?.data.handler === 'iommufd') domain = ifile.data.hwpts.find((h) => h.token === hwptToken)?.domain ?? null;
      }
      out.set(device, { domain });
    }
  }
  return out;
}

/** reboot(LINUX_REBOOT_CMD_KEXEC) into `target`: see the file header. */
export function kexec(k: Kernel, target: string, faults: readonly KexecFault[]): Outcome {
  const failed = reboot(k, faults);
  if (failed) return failed;
  const old = profileOf(k.profile).liveUpdate;
  const neu = profileOf(target).liveUpdate;

  // 3. kho_populate()
  const khoOk = old.kho !== null && neu.kho !== null && old.kho === neu.kho;
  const boot: Kernel['kho']['boot'] = khoOk ? 'kho' : old.kho !== null && neu.kho !== null ? 'revival-disabled' : 'kexec';
  const reserved = khoOk ? k.kho.preserved : [];
  const frames: (Frame | null)[] = [];
  for (const pfn of reserved) {
    const f = k.frames[pfn];
    if (!f) throw new Error(`model bug: preserved frame ${pfn} is free`);
    frames[pfn] = { label: f.label, owner: { kind: 'incoming' }, pins: 0, table: f.table };
  }
  for (let pfn = 0; pfn < frames.length; pfn++) if (frames[pfn] === undefined) frames[pfn] = null;
  for (let n = 0, pfn = 0; n < BOOT_KERNEL_FRAMES; pfn++) {
    if (frames[pfn]) continue;
    frames[pfn] = { label: `kernel:${n}`, owner: { kind: 'kernel' }, pins: 0, table: null };
    n++;
  }
  let k1: Kernel = {
    profile: target,
    pageSize: k.pageSize,
    devices: k.devices,
    frames,
    domains: [],
    hw: [],
    process: {
      ...k.process, userLockedVm: 0, mmLockedVm: 0, mmPinnedVm: 0, fds: [],
      buffers: k.process.buffers.map((b) => ({ ...b, frames: [] })),
    },
    files: [],
    kho: { preserved: [], incoming: [...reserved], boot },
    lu: { device: null, broken: false, number: 0, outgoing: [], incoming: [] },
    history: carryHistory(k.history, k.lu.outgoing),
  };

  // 4. luo_early_startup(): the LUO subtree is there when KHO was accepted and the old kernel had LUO.
  const luoData = khoOk && old.luo !== null;
  if (luoData && neu.luo && old.luo) {
    if (neu.luo.compatible !== old.luo.compatible) {
      return panic('luo_early_startup:incompatible', `LUO: FDT 'LUO' is incompatible with '${neu.luo.compatible}' (it is '${old.luo.compatible}'): luo_restore_fail()`);
    }
  }
  const luoIn = luoData && neu.luo !== null;

  // 5. IOMMU init and probe, devices in name order.
  const preserved = luoIn ? preservedDevices(k) : new Map<string, { domain: number | null }>();
  const canRestore = luoIn && neu.iommu !== null && old.iommu !== null;
  const restored = new Map<number, number>();
  const hw: HwDevice[] = [];
  for (const h of k.hw) {
    const p = preserved.get(h.device);
    if (!canRestore || !p) {
      hw.push({ device: h.device, domain: 'default', pt: null, dmaOwner: null, luClaimed: false });
      continue;
    }
    if (p.domain === null) {
      hw.push({ device: h.device, domain: 'blocked', pt: null, dmaOwner: null, luClaimed: true });
      continue;
    }
    let id = restored.get(p.domain);
    if (id === undefined) {
      const r = restoreDomain(k, k1, p.domain, faults);
      if ('kind' in r) return r;
      [k1, id] = r;
      restored.set(p.domain, id);
    }
    const d = k1.domains.find((x) => x.id === id) as Domain;
    hw.push({ device: h.device, domain: id, pt: { top: d.top as Pfn, levels: d.levels }, dmaOwner: null, luClaimed: true });
  }
  k1 = { ...k1, hw, history: renameDomains(k1.history, restored) };

  // 6. luo_session_deserialize()
  if (luoIn && neu.luo && old.luo) {
    const broken = k.lu.outgoing.some((s) => s.files.some((f) => handlerCompat(neu, f.data.handler) !== handlerCompat(old, f.data.handler)));
    const incoming: LuoSession[] = broken ? [] : k.lu.outgoing.map((s) => ({
      name: s.name, file: null, retrieved: false, files: s.files.map((f) => incomingFile(f, restored, hasPatch(target, 'lu-finish-unrestored'))),
    }));
    k1 = { ...k1, lu: { ...k1.lu, broken, number: k.lu.number + 1, incoming } };
  }
  return done(k1, 'kernel_kexec:ok');
}

/**
 * A preserved file as the new kernel deserializes it: not retrieved, its iommufd HWPTs on the restored domains. With
 * the hardening patch lu-finish-unrestored, a HWPT whose domain was not restored has nothing to reclaim.
 */
function incomingFile(f: LuoFile, restored: ReadonlyMap<number, number>, finishUnrestored: boolean): LuoFile {
  const hwpt = (h: { token: bigint; domain: number | null }) => {
    const domain = h.domain === null ? null : (restored.get(h.domain) ?? null);
    return { token: h.token, domain, tables: [], reclaimed: finishUnrestored && domain === null };
  };
  const data: LuoFileData = f.data.handler === 'iommufd' ? { handler: 'iommufd', hwpts: f.data.hwpts.map(hwpt) } : f.data;
  return { token: f.token, file: null, retrieved: false, data };
}

/**
 * iommu_restore_domain() at probe: a new domain of this kernel over the old one's top table and format, each table
 * frame restored from KHO. A frame that cannot be restored (not reserved, or the injected fault) is BUG_ON.
 */
function restoreDomain(old: Kernel, k: Kernel, oldId: number, faults: readonly KexecFault[]): [Kernel, number] | Outcome {
  const d = old.domains.find((x) => x.id === oldId);
  if (!d || d.top === null) throw new Error(`model bug: preserved domain ${oldId} is not a paging domain`);
  const tables = domainTableFrames(old, oldId);
  const id = nextDomainId(k);
  const bug = faults.some((x) => x.name === 'restore-table-page-fails') || tables.some((p) => !hasPfn(k.kho.incoming, p));
  const k1 = bug ? null : khoRestore(k, tables, () => ({ kind: 'pagetable', domain: id }));
  if (k1 === null) {
    return panic('iommu_restore_domain:restore-failed', `kernel BUG: kho_restore_folio() of a preserved page-table page of domain ${oldId} failed`);
  }
  return [domainInsert(k1, { ...d, id, restored: true, parent: null }), id];
}

/** The history the new kernel keeps: the records of the old kernel's outgoing sessions. */
function carryHistory(h: LuHistory, outgoing: readonly LuoSession[]): LuHistory {
  const names = new Set(outgoing.map((s) => s.name));
  return { domains: h.domains.filter((d) => names.has(d.session)), devices: h.devices.filter((d) => names.has(d.session)) };
}

/** Domain records follow their domain to its restored id (null when none was restored). */
function renameDomains(h: LuHistory, restored: ReadonlyMap<number, number>): LuHistory {
  return { ...h, domains: h.domains.map((d) => ({ ...d, domain: d.domain === null ? null : (restored.get(d.domain) ?? null) })) };
}

/**
 * S4 hitless-replace as proposed (domain.md §D.5): the IOMMU keeps the preserved domain attached across the kexec
 * and restores it from its preserved table pages at boot; the VMM retrieves its files, takes the restored domain back
 * as a HWPT (IOMMU_HWPT_LU_RESTORE), rebuilds IOAS + HWPT from the retrieved memfd and replaces the device onto the
 * new HWPT; FINISH is gated on every preserved HWPT being reclaimed and no device left on a restored domain. Nothing
 * compares the rebuilt HWPT with the restored domain before the replace.
 */
import type { Strategy } from '../../strategy.ts';
import { s4Vmm } from './vmm.ts';

const strategy: Strategy = {
  name: 's4-hitless-replace/proposed',
  title: 'S4 hitless replace, as posted',
  summary:
    'Preserved: the guest memfd (memfd_luo), the iommufd with its marked HWPT (the domain and its table pages, via ' +
    'KHO) and the device cdev. Checked: the seals of the memfd at preserve time; the IOAS is immutable from preserve ' +
    'until the kexec. Restored: the domain from its table pages at IOMMU init, the device re-attached to it. After ' +
    'the kexec the VMM rebuilds and replaces; the kernel does not compare the rebuilt HWPT with the restored domain.',
  sources: [
    'SK-v1 "[PATCH 00/14] iommu: Add live update state preservation" <20260203220948.2176157-1-skhawaja@google.com>',
    'samikhawaja/linux drivers/iommu/iommufd/liveupdate.c @039a2632 (restore path)',
    'domain.md §D.5',
  ],
  patches: [],
  vmm: s4Vmm,
};

export default strategy;

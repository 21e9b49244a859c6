/**
 * S4 hitless-replace, hardened: the proposed series plus what review asks for (domain.md §D.1, §D.5, invariants
 * I11-I12) and what the proofs showed to be needed besides.
 *
 * - lu-replace-check (asked for in the thread): the kernel refuses the replace off a restored domain unless the new
 *   domain translates exactly as the restored one (IOVA, frame, prot) and, on break-before-make hardware, with the
 *   same leaf sizes.
 * - lu-hold-until-finish (found by proofs/s4-hitless-replace/s4-replace-check-only-adversarial-same: without it, a
 *   rebuilt IOAS that matched at the replace can be unmapped, or the device detached, before FINISH, and the device
 *   faults while its live update is still running): until FINISH, the device stays on the HWPT it was replaced onto
 *   and that HWPT's IOAS keeps its areas.
 * - lu-hold-attachment (found by the random runs, test/random/findings.test.ts, and
 *   s4-hardened-first-cut-adversarial-same): from the cdev preserve to the kexec the device cannot be detached or
 *   moved (the series freezes the IOAS then, not the attachment).
 * - lu-reboot-after-finish (same): no kexec while a device the IOMMU restored is still claimed; nothing would preserve
 *   its tables again, and the next kernel's early allocations land on them (a second kexec before FINISH).
 * - lu-finish-unrestored (found by the adversarial proofs' no-deadlock: a device detached before the iommufd
 *   preserve leaves a marked HWPT with no domain to restore, and the session could never finish): such a HWPT has
 *   nothing to reclaim.
 *
 * The checks are in src/kernel/luHardening.ts; src/kernel/profiles.ts PATCHES describes each.
 */
import type { Strategy } from '../../strategy.ts';
import { s4Vmm } from './vmm.ts';

const strategy: Strategy = {
  name: 's4-hitless-replace/hardened',
  title: 'S4 hitless replace, with the replace checked and the device held from preserve to FINISH',
  summary:
    'As proposed, and the kernel refuses (EINVAL) a replace off a restored domain onto a domain that does not ' +
    'translate exactly as it does (and, on break-before-make hardware, with the same leaf sizes); until FINISH, ' +
    'the device cannot leave the rebuilt HWPT and its IOAS cannot change (EBUSY); from the cdev preserve to the ' +
    'kexec the device cannot be detached (EBUSY); and no kexec while a restored device is still claimed (EBUSY).',
  sources: [
    'domain.md §D.1, §D.5, §F I11-I12 (Jason Gunthorpe, SK-v1 thread, 7 and 10 Oct; G-THR 7/9 Oct; SK-RPL)',
    'src/kernel/luHardening.ts',
  ],
  patches: ['lu-replace-check', 'lu-hold-until-finish', 'lu-hold-attachment', 'lu-reboot-after-finish', 'lu-finish-unrestored'],
  vmm: s4Vmm,
};

export default strategy;

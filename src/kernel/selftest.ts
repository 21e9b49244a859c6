/**
 * The selftest driver's own ioctls that the conformance corpus needs (drivers/iommu/iommufd/selftest.c, under
 * CONFIG_IOMMUFD_TEST): IOMMU_TEST_OP_ADD_RESERVED. Mock devices themselves are config devices with the mock
 * aperture and IO page size (syscall.ts bootKernel) bound through VFIO, not IOMMU_TEST_OP_MOCK_DOMAIN objects.
 */
import type { IommuTestAddReserved } from './uapi.ts';
import type { Kernel } from './types.ts';
import { done, fail, isFail, notModelled, type Outcome } from './outcome.ts';
import { getIoas, putObject } from './main.ts';
import { ioptReserveIova } from './ioPagetable.ts';

/** MOCK_APERTURE_START / MOCK_APERTURE_LAST (iommufd_test.h). */
export const MOCK_APERTURE_START = 1n << 24n;
/** MOCK_APERTURE_LAST (inclusive). */
export const MOCK_APERTURE_LAST = (1n << 31n) - 1n;

/**
 * iommufd_test_add_reserved(): reserves [start, start + length - 1] (owner NULL, here `test`). The kernel does not
 * check the sum: a range whose last wraps below its start becomes an inverted interval-tree node, whose effect on
 * later lookups the model does not reproduce, so it is refused as not modelled.
 */
export function iommufdTestAddReserved(k: Kernel, ictx: number, cmd: IommuTestAddReserved): Outcome {
  const ioas = getIoas(k, ictx, cmd.ioas_id);
  if (!ioas) return fail('iommufd_get_ioas:not-found');
  const last = (cmd.start + cmd.length - 1n) & 0xffff_ffff_ffff_ffffn;
  if (last < cmd.start) return notModelled(`IOMMU_TEST_OP_ADD_RESERVED start ${cmd.start} length ${cmd.length}: start + length - 1 wraps (inverted range)`);
  const r = ioptReserveIova(ioas, cmd.start, last, 'test');
  if (isFail(r)) return r;
  return done(putObject(k, ictx, r), 'iommufd_test_add_reserved:ok');
}

/**
 * The ioctl dispatch table, keyed by UAPI name (main.c's iommufd_ioctl_ops[] with IOCTL_OP(), plus the VFIO cdev
 * ioctls of drivers/vfio/vfio_main.c vfio_device_fops_unl_ioctl()). Which of them exist is the profile's business:
 * an ioctl a kernel lacks is an unknown ioctl number there, ENOTTY.
 */
import type { IoctlArg, IoctlName } from './uapi.ts';
import type { Kernel } from './types.ts';
import type { Outcome } from './outcome.ts';
import { iommufdDestroy } from './main.ts';
import {
  iommufdIoasAllocIoctl, iommufdIoasAllowIovas, iommufdIoasCopy, iommufdIoasIovaRanges, iommufdIoasMap,
  iommufdIoasMapFile, iommufdIoasUnmap, iommufdOption,
} from './ioas.ts';
import { iommufdHwptAlloc } from './hwpt.ts';
import { iommufdTestAddReserved } from './selftest.ts';
import { vfioDfIoctlAttachPt, vfioDfIoctlBindIommufd, vfioDfIoctlDetachPt } from './device.ts';
import { luoIoctlCreateSession, luoIoctlRetrieveSession, luoSessionFinish, luoSessionPreserveFd, luoSessionRetrieveFd } from './luo.ts';
import { iommufdHwptLuRestore, iommufdHwptLuSetPreserve } from './iommufdLuo.ts';

/** An ioctl handler: the file it was issued on (an iommufd, a VFIO cdev, /dev/liveupdate or a session, by file id) and its argument. */
type Handler<N extends IoctlName> = (k: Kernel, file: number, arg: IoctlArg[N]) => Outcome;

interface IoctlOp<N extends IoctlName> {
  /** The kind of file whose fops handle it. */
  on: 'iommufd' | 'vfio' | 'liveupdate' | 'session';
  /** The kernel function it enters. */
  fn: string;
  run: Handler<N>;
}

/** Every ioctl the model implements. */
export const IOCTL_OPS: { readonly [N in IoctlName]: IoctlOp<N> } = {
  IOMMU_DESTROY: { on: 'iommufd', fn: 'iommufd_destroy', run: iommufdDestroy },
  IOMMU_IOAS_ALLOC: { on: 'iommufd', fn: 'iommufd_ioas_alloc_ioctl', run: iommufdIoasAllocIoctl },
  IOMMU_IOAS_ALLOW_IOVAS: { on: 'iommufd', fn: 'iommufd_ioas_allow_iovas', run: iommufdIoasAllowIovas },
  IOMMU_IOAS_COPY: { on: 'iommufd', fn: 'iommufd_ioas_copy', run: iommufdIoasCopy },
  IOMMU_IOAS_IOVA_RANGES: { on: 'iommufd', fn: 'iommufd_ioas_iova_ranges', run: iommufdIoasIovaRanges },
  IOMMU_IOAS_MAP: { on: 'iommufd', fn: 'iommufd_ioas_map', run: iommufdIoasMap },
  IOMMU_IOAS_MAP_FILE: { on: 'iommufd', fn: 'iommufd_ioas_map_file', run: iommufdIoasMapFile },
  IOMMU_IOAS_UNMAP: { on: 'iommufd', fn: 'iommufd_ioas_unmap', run: iommufdIoasUnmap },
  IOMMU_OPTION: { on: 'iommufd', fn: 'iommufd_option', run: iommufdOption },
  IOMMU_HWPT_ALLOC: { on: 'iommufd', fn: 'iommufd_hwpt_alloc', run: iommufdHwptAlloc },
  IOMMU_TEST_OP_ADD_RESERVED: { on: 'iommufd', fn: 'iommufd_test', run: iommufdTestAddReserved },
  VFIO_DEVICE_BIND_IOMMUFD: { on: 'vfio', fn: 'vfio_df_ioctl_bind_iommufd', run: vfioDfIoctlBindIommufd },
  VFIO_DEVICE_ATTACH_IOMMUFD_PT: { on: 'vfio', fn: 'vfio_df_ioctl_attach_pt', run: vfioDfIoctlAttachPt },
  VFIO_DEVICE_DETACH_IOMMUFD_PT: { on: 'vfio', fn: 'vfio_df_ioctl_detach_pt', run: vfioDfIoctlDetachPt },
  LIVEUPDATE_IOCTL_CREATE_SESSION: { on: 'liveupdate', fn: 'luo_ioctl_create_session', run: luoIoctlCreateSession },
  LIVEUPDATE_IOCTL_RETRIEVE_SESSION: { on: 'liveupdate', fn: 'luo_ioctl_retrieve_session', run: luoIoctlRetrieveSession },
  LIVEUPDATE_SESSION_PRESERVE_FD: { on: 'session', fn: 'luo_session_preserve_fd', run: luoSessionPreserveFd },
  LIVEUPDATE_SESSION_RETRIEVE_FD: { on: 'session', fn: 'luo_session_retrieve_fd', run: luoSessionRetrieveFd },
  LIVEUPDATE_SESSION_FINISH: { on: 'session', fn: 'luo_session_finish', run: (k, file) => luoSessionFinish(k, file) },
  IOMMU_HWPT_LU_SET_PRESERVE: { on: 'iommufd', fn: 'iommufd_hwpt_lu_set_preserve', run: iommufdHwptLuSetPreserve },
  IOMMU_HWPT_LU_RESTORE: { on: 'iommufd', fn: 'iommufd_hwpt_lu_restore', run: iommufdHwptLuRestore },
};

/** True when `op` names an ioctl of the table. */
export function isIoctlName(op: string): op is IoctlName {
  return Object.prototype.hasOwnProperty.call(IOCTL_OPS, op);
}

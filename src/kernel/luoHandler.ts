/**
 * A LUO file handler (struct liveupdate_file_handler and its liveupdate_file_ops, include/linux/liveupdate.h), as
 * the model runs it. Each is pure: it gets the kernel and returns the next one, or a Fail that changes nothing.
 * `freeze` is not here: no modelled handler changes state at freeze (memfd records f_pos, iommufd is a no-op,
 * VFIO's reset is left out: the series keeps the device running), and a failing freeze is an injected fault
 * (kexec.ts).
 */
import type { File, Kernel, LuoFile, LuoFileData } from './types.ts';
import type { Fail } from './outcome.ts';

/** One handler's ops. `session` is the session's name; `lf` the file's LUO record. */
export interface LuoHandler {
  name: LuoFileData['handler'];
  /** can_preserve(): whether this handler takes the file. */
  canPreserve(f: File): boolean;
  /** preserve(): saves the file's state for the next kernel; the data is what it serializes. */
  preserve(k: Kernel, session: string, f: File): [Kernel, LuoFileData] | Fail;
  /** unpreserve(): undoes preserve() (the session was closed before the reboot). */
  unpreserve(k: Kernel, session: string, lf: LuoFile): Kernel;
  /** retrieve(): makes the file again in the new kernel; the new file carries one reference (LUO's). */
  retrieve(k: Kernel, session: string, lf: LuoFile): [Kernel, number] | Fail;
  /** can_finish(): whether the session may finish (absent in the kernel: true). */
  canFinish(k: Kernel, session: string, lf: LuoFile): boolean;
  /** finish(): LUO gives the file up (or, never retrieved, discards its state). */
  finish(k: Kernel, session: string, lf: LuoFile): Kernel;
}

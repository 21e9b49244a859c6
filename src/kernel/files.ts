/**
 * Open files and the process fd table.
 *
 * A file lives while it has references (f_count): its fds, plus the kernel's own (an iopt_pages holds its memfd,
 * a bound VFIO device file holds its iommufd twice: df->iommufd and the DEVICE object's ictx reference). The last
 * `fput()` runs the file's release: iommufd_fops_release(), the memfd's page cache going away,
 * vfio_device_fops_release() unbinding the device, luo_release() (/dev/liveupdate free again) or
 * luo_session_release() (an outgoing session unpreserves its files, a retrieved one finishes). LUO holds its own
 * reference on every file it preserves or retrieved, so those outlive their fds. Fds are handed out lowest free first from 3 (0-2 are stdio),
 * as get_unused_fd_flags() does.
 */
import type { File, Kernel } from './types.ts';
import { iommufdFopsRelease } from './main.ts';
import { memfdRelease } from './memfd.ts';
import { vfioDeviceFopsRelease } from './device.ts';
import { luoRelease, luoSessionRelease } from './luo.ts';

/** The open file `id`; throws when there is none (a model bug). */
export function fileById(k: Kernel, id: number): File {
  const f = findFile(k, id);
  if (!f) throw new Error(`model bug: no file ${id}`);
  return f;
}

/** The open file `id`, if any. */
export function findFile(k: Kernel, id: number): File | undefined {
  return k.files.find((f) => f.id === id);
}

/** Replaces file `f.id` with `f`. */
export function putFile(k: Kernel, f: File): Kernel {
  return { ...k, files: k.files.map((x) => (x.id === f.id ? f : x)) };
}

/** Adds a new file with the lowest free id (its `id` field is overwritten) and one reference. */
export function addFile(k: Kernel, f: File): [Kernel, number] {
  let id = 1;
  for (const x of k.files) {
    if (x.id !== id) break;
    id++;
  }
  const files = [...k.files, { ...f, id, refs: 1 }].sort((a, b) => a.id - b.id);
  return [{ ...k, files }, id];
}

/** The file an fd refers to, if the fd is open. */
export function fdFile(k: Kernel, fd: number): File | undefined {
  const e = k.process.fds.find((x) => x.fd === fd);
  return e ? findFile(k, e.file) : undefined;
}

/** Installs `file` at the lowest free fd (the reference is the caller's, moved into the fd). */
export function fdInstall(k: Kernel, file: number): [Kernel, number] {
  let fd = 3;
  for (const x of k.process.fds) {
    if (x.fd < fd) continue;
    if (x.fd !== fd) break;
    fd++;
  }
  const fds = [...k.process.fds, { fd, file }].sort((a, b) => a.fd - b.fd);
  return [{ ...k, process: { ...k.process, fds } }, fd];
}

/** Takes one more reference on a file (get_file()). */
export function fget(k: Kernel, id: number): Kernel {
  const f = fileById(k, id);
  return putFile(k, { ...f, refs: f.refs + 1 });
}

/**
 * Drops one reference; the last one runs the file's release (which sees the file, at zero references, in the
 * table) and then removes the file.
 */
export function fput(k: Kernel, id: number): Kernel {
  const f = fileById(k, id);
  if (f.refs > 1) return putFile(k, { ...f, refs: f.refs - 1 });
  const k0 = putFile(k, { ...f, refs: 0 });
  let k1: Kernel;
  switch (f.kind) {
    case 'iommufd':
      k1 = iommufdFopsRelease(k0, id);
      break;
    case 'memfd':
      k1 = memfdRelease(k0, id);
      break;
    case 'vfio':
      k1 = vfioDeviceFopsRelease(k0, id);
      break;
    case 'liveupdate':
      k1 = luoRelease(k0, id);
      break;
    case 'session':
      k1 = luoSessionRelease(k0, id);
      break;
  }
  return { ...k1, files: k1.files.filter((x) => x.id !== id) };
}

/** close(fd): removes the fd and drops its reference. The fd must be open. */
export function closeFd(k: Kernel, fd: number): Kernel {
  const e = k.process.fds.find((x) => x.fd === fd);
  if (!e) throw new Error(`model bug: closing fd ${fd} that is not open`);
  const k1 = { ...k, process: { ...k.process, fds: k.process.fds.filter((x) => x.fd !== fd) } };
  return fput(k1, e.file);
}

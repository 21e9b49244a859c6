/**
 * `finish-gated`: live update finishes only when every preserved object is reclaimed and no device is left on a
 * restored domain.
 *
 * domain.md §F I13: "LUO finish succeeds only when all preserved HWPT tokens are reclaimed and no device remains
 * attached to a restored HWPT; can_finish is all-or-nothing" [SK-TREE can_finish; LUO-FILE]. Checked at every step
 * that finishes an incoming session (LIVEUPDATE_SESSION_FINISH, or the CLOSE of its last fd), recomputed from the
 * kernel before it and not from the handlers: every preserved iommufd of the session was retrieved, its every
 * preserved HWPT reclaimed, and no device walks (in hardware) a domain restored for it; every preserved cdev was
 * retrieved.
 */
import type { IommufdFile, Kernel, LuoSession, Syscall, SyscallResult } from '../kernel/index.ts';
import type { StepInvariant, Violation } from './types.ts';
import { afterOf, hex } from './liveUpdate.ts';

/** The incoming session a step finished, if it finished one. */
function finished(before: Kernel, after: Kernel, call: Syscall, result: SyscallResult<Kernel>): LuoSession | undefined {
  if (!result.ok || (call.op !== 'LIVEUPDATE_SESSION_FINISH' && call.op !== 'CLOSE')) return undefined;
  const fd = before.process.fds.find((x) => x.fd === call.fd);
  const f = fd ? before.files.find((x) => x.id === fd.file) : undefined;
  if (f?.kind !== 'session' || !f.incoming) return undefined;
  const s = before.lu.incoming.find((x) => x.name === f.name);
  if (!s || s.files.length === 0) return undefined;
  const now = after.lu.incoming.find((x) => x.name === f.name);
  return !now || now.files.length === 0 ? s : undefined;
}

function check(before: Kernel, call: Syscall, result: SyscallResult<Kernel>): Violation | undefined {
  const after = afterOf(before, result);
  if (after === before) return undefined;
  const s = finished(before, after, call, result);
  if (!s) return undefined;
  const v = (m: string): Violation => ({ invariant: 'finish-gated', message: `session "${s.name}" finished although ${m}` });
  for (const f of s.files) {
    if (f.data.handler === 'vfio' && !f.retrieved) return v(`the cdev of ${f.data.device} (token ${hex(f.token)}) was never retrieved`);
    if (f.data.handler !== 'iommufd') continue;
    if (!f.retrieved || f.file === null) return v(`its iommufd (token ${hex(f.token)}) was never retrieved`);
    const file = before.files.find((x) => x.id === f.file) as IommufdFile | undefined;
    const lu = file?.ctx.lu ?? [];
    const left = lu.find((h) => !h.reclaimed);
    if (left) return v(`preserved HWPT token ${hex(left.token)} was never reclaimed`);
    for (const o of file?.ctx.objects ?? []) {
      if (o.type !== 'HWPT_PAGING' || !o.luRestored) continue;
      const on = before.hw.find((h) => h.domain === o.domain);
      if (on) return v(`device ${on.device} is still on restored domain ${o.domain} (HWPT ${o.id})`);
    }
  }
  return undefined;
}

/** The invariant, for the registry. */
export const finishGated: StepInvariant = { name: 'finish-gated', kind: 'step', source: 'domain.md §F I13', check };

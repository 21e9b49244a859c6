/** `finish-gated` (src/invariants/finishGated.ts): planted violations, reported under its name only. */
import { describe, expect, it } from 'vitest';
import { copy } from './plant.ts';
import { step } from './luPlant.ts';
import { preserveAll, retrieveAll } from '../kernel/lu.ts';
import type { Kernel } from '../../src/kernel/index.ts';

/** The kernel a FINISH would leave if it finished the session: its files gone. */
function finishedCopy(k: Kernel, name: string): Kernel {
  const c = copy(k);
  c.lu.incoming = c.lu.incoming.map((s) => (s.name === name ? { ...s, files: [] } : s));
  return c;
}

describe('finish-gated', () => {
  it('reports a finish while the preserved HWPT is not reclaimed and the device is on the restored domain', () => {
    const { w } = preserveAll();
    w.ok(w.kexec('linux-7.1-sk-restore'));
    const r = retrieveAll(w);
    const call = w.finish(r.session);
    expect(w.run(call).ok).toBe(false);
    const got = step(w.k, call, { ok: true, kernel: finishedCopy(w.k, 'vm'), out: {}, rule: 'luo_session_finish:ok' });
    expect(got).toEqual(['finish-gated']);
  });
  it('reports a finish with the iommufd never retrieved, and a close that finishes the same way', () => {
    const { w } = preserveAll();
    w.ok(w.kexec('linux-7.1-sk-restore'));
    const lu = w.fd(w.luOpen());
    const s = w.fd(w.retrieveSession(lu, 'vm'));
    const planted = finishedCopy(w.k, 'vm');
    expect(step(w.k, w.finish(s), { ok: true, kernel: planted, out: {}, rule: 'luo_session_finish:ok' })).toEqual(['finish-gated']);
    const closed = copy(planted);
    closed.lu.incoming = [];
    expect(step(w.k, w.close(s), { ok: true, kernel: closed, out: {}, rule: 'close_fd:ok' })).toEqual(['finish-gated']);
  });
});

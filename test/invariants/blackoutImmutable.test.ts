/** `blackout-immutable` (src/invariants/blackoutImmutable.ts): planted violations, reported under its name only. */
import { describe, expect, it } from 'vitest';
import { copy } from './plant.ts';
import { checkState, kexecedWorld, names, preservedWorld, step } from './luPlant.ts';

describe('blackout-immutable', () => {
  it('holds through preserve and kexec', () => {
    expect(checkState(preservedWorld().k)).toEqual([]);
    expect(checkState(kexecedWorld().k)).toEqual([]);
  });
  it('reports a preserved domain whose translations are not those it had at preserve time', () => {
    const w = preservedWorld();
    const k = copy(w.k);
    const rec = k.history.domains[0]?.translations[0];
    if (!rec) throw new Error('no preserved domain');
    rec.prot ^= 2; // the record says the domain was mapped without write: the domain changed since
    expect(names(checkState(k))).toEqual(['blackout-immutable']);
    expect(checkState(k)[0]?.message).toMatch(/changed its translations after it was preserved/);
  });
  it('reports it at the step that breaks it, not again after', () => {
    const w = preservedWorld();
    const broken = copy(w.k);
    const rec = broken.history.domains[0]?.translations[0];
    if (!rec) throw new Error('no preserved domain');
    rec.prot ^= 2;
    const call = w.luOpen();
    expect(step(w.k, call, { ok: true, kernel: broken, out: {}, rule: 'luo_open:ok' })).toEqual(['blackout-immutable']);
    const again = copy(broken);
    again.process.capIpcLock = !again.process.capIpcLock;
    expect(step(broken, call, { ok: true, kernel: again, out: {}, rule: 'luo_open:ok' })).toEqual([]);
  });
});

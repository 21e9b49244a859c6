/** The memfd LUO handler (src/kernel/memfdLuo.ts, mm/memfd_luo.c). */
import { describe, expect, it } from 'vitest';
import { F_SEALS, type MemfdFile, type ProfileName } from '../../src/kernel/index.ts';
import { P, World, config } from './harness.ts';

function preserved(profile: ProfileName): { w: World; s: number } {
  const w = new World(config({ memfds: [{ name: 'm', pages: 3 }] }), profile);
  const s = w.fd(w.createSession(w.fd(w.luOpen()), 's'));
  w.ok(w.seals(w.memfd('m'), F_SEALS.SEAL | F_SEALS.WRITE));
  w.ok(w.preserve(s, w.memfd('m'), 1n));
  return { w, s };
}

function memfdOf(w: World, fd: number): MemfdFile {
  const id = w.k.process.fds.find((x) => x.fd === fd)?.file;
  const f = w.k.files.find((x) => x.id === id);
  if (f?.kind !== 'memfd') throw new Error('not a memfd');
  return f;
}

describe('memfd preservation', () => {
  it('freezes the size of the outgoing file (same size still fine) until it is unpreserved', () => {
    const { w, s } = preserved('linux-7.1-sk-restore');
    w.err(w.ftruncate(w.memfd('m'), 4n * P), 'EPERM', 'shmem_setattr:frozen');
    w.err(w.ftruncate(w.memfd('m'), 2n * P), 'EPERM', 'shmem_setattr:frozen');
    w.ok(w.ftruncate(w.memfd('m'), 3n * P));
    w.ok(w.close(s));
    w.ok(w.ftruncate(w.memfd('m'), 4n * P));
  });
  it('gives every page a frame (holes included) and KHO-preserves each', () => {
    const { w } = preserved('linux-7.1-sk-restore');
    expect(memfdOf(w, w.memfd('m')).pages.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(w.k.kho.preserved).toEqual(memfdOf(w, w.memfd('m')).pages.map((p) => p.pfn));
  });
  it('retrieve gives a new, unfrozen file with the same frames at the same offsets', () => {
    const { w } = preserved('linux-7.1-sk-restore');
    const before = memfdOf(w, w.memfd('m')).pages;
    w.ok(w.kexec('linux-7.1-sk-restore'));
    const s = w.fd(w.retrieveSession(w.fd(w.luOpen()), 's'));
    const m = w.fd(w.retrieveFd(s, 1n));
    const after = memfdOf(w, m);
    expect(after.pages).toEqual(before);
    expect(after.frozen).toBe(false);
    expect(after.pages.map((p) => w.k.frames[p.pfn]?.label)).toEqual(['m:0', 'm:1', 'm:2']);
    expect(w.k.kho.incoming).toEqual([]);
  });
  it('memfd-v2 brings the seals back; memfd-v1 drops them and leaves the file unsealable (F_SEAL_SEAL)', () => {
    const v2 = preserved('linux-7.1-sk-restore').w;
    v2.ok(v2.kexec('linux-7.1-sk-restore'));
    const f2 = memfdOf(v2, v2.fd(v2.retrieveFd(v2.fd(v2.retrieveSession(v2.fd(v2.luOpen()), 's')), 1n)));
    expect(f2.seals).toBe(F_SEALS.SEAL | F_SEALS.WRITE);
    const v1 = preserved('linux-6.19').w;
    v1.ok(v1.kexec('linux-6.19'));
    const fd1 = v1.fd(v1.retrieveFd(v1.fd(v1.retrieveSession(v1.fd(v1.luOpen()), 's')), 1n));
    expect(memfdOf(v1, fd1).seals).toBe(F_SEALS.SEAL);
    v1.ok(v1.ftruncate(fd1, 8n * P));
    v1.err(v1.seals(fd1, F_SEALS.GROW), 'EPERM', 'memfd_add_seals:sealed');
  });
});

/**
 * memfds (src/kernel/memfd.ts): ftruncate with F_SEAL_SHRINK / F_SEAL_GROW, F_ADD_SEALS in the order of
 * mm/memfd.c memfd_add_seals(), and pages that outlive a truncate while pinned.
 */
import { describe, expect, it } from 'vitest';
import { F_SEALS as S } from '../../src/kernel/index.ts';
import { FIXED, MOCK_APERTURE, P, RW, World, config, mockDev } from './harness.ts';

const world = () => new World(config({ memfds: [{ name: 'g', pages: 4 }], devices: [mockDev('m0')] }));

describe('FTRUNCATE', () => {
  it('grows and shrinks until sealed; a same-size truncate is always fine', () => {
    const w = world();
    const fd = w.memfd('g');
    w.ok(w.ftruncate(fd, 8n * P), 'shmem_setattr:ok');
    w.ok(w.seals(fd, S.GROW));
    w.err(w.ftruncate(fd, 9n * P), 'EPERM', 'shmem_setattr:sealed');
    w.ok(w.ftruncate(fd, 2n * P));
    w.ok(w.seals(fd, S.SHRINK));
    w.err(w.ftruncate(fd, P), 'EPERM');
    w.ok(w.ftruncate(fd, 2n * P));
  });
  it('rejects a negative length before looking at the fd, then a bad fd, then a non-regular file', () => {
    const w = world();
    w.err(w.ftruncate(99, 1n << 63n), 'EINVAL', 'do_sys_ftruncate:negative');
    w.err(w.ftruncate(99, P), 'EBADF', 'fdget:bad-fd');
    w.err(w.ftruncate(w.ifd, P), 'EINVAL', 'do_sys_ftruncate:not-regular');
    w.err(w.ftruncate(w.dev('m0'), P), 'EINVAL', 'do_sys_ftruncate:not-regular');
  });
  it('a pinned page truncated away lives on, detached, until its DMA mapping goes', () => {
    const w = world();
    const ioas = w.newIoas();
    w.bindAttach('m0', ioas);
    const fd = w.memfd('g');
    w.ok(w.mapFile({ ioas_id: ioas, fd, length: 4n * P, iova: MOCK_APERTURE[0], flags: RW | FIXED }));
    w.ok(w.ftruncate(fd, P));
    const detached = w.k.frames.filter((f) => f?.owner.kind === 'detached').map((f) => f?.label);
    expect(detached).toEqual(['g:1', 'g:2', 'g:3']);
    w.ok(w.unmap(ioas, MOCK_APERTURE[0], 4n * P));
    expect(w.k.frames.filter((f) => f?.owner.kind === 'detached')).toEqual([]);
    w.ok(w.ftruncate(fd, 4n * P));
    w.ok(w.mapFile({ ioas_id: ioas, fd, length: 4n * P, iova: MOCK_APERTURE[0], flags: RW | FIXED }));
    expect(w.k.frames.filter((f) => f?.label.startsWith('g:')).map((f) => f?.label)).toEqual(['g:0', 'g:1', 'g:2', 'g:3']);
  });
});

describe('F_ADD_SEALS', () => {
  it('checks the value, the file, F_SEAL_SEAL, and pins under F_SEAL_WRITE', () => {
    const w = world();
    const fd = w.memfd('g');
    w.err(w.seals(fd, 0x1_0000_0000), 'EINVAL', 'memfd_fcntl:arg');
    w.err(w.seals(fd, 0x40), 'EINVAL', 'memfd_add_seals:unknown-seal');
    w.err(w.seals(w.ifd, S.SEAL), 'EINVAL', 'memfd_add_seals:not-memfd');
    w.err(w.seals(77, S.SEAL), 'EBADF', 'fdget:bad-fd');
    const ioas = w.newIoas();
    w.bindAttach('m0', ioas);
    w.ok(w.mapFile({ ioas_id: ioas, fd, length: P, iova: MOCK_APERTURE[0], flags: RW | FIXED }));
    w.err(w.seals(fd, S.WRITE), 'EBUSY', 'memfd_wait_for_pins:busy');
    w.ok(w.seals(fd, S.SEAL | S.GROW | S.SHRINK), 'memfd_add_seals:ok');
    w.err(w.seals(fd, S.GROW), 'EPERM', 'memfd_add_seals:sealed');
  });
  it('F_SEAL_EXEC on the executable memfd adds SHRINK, GROW, WRITE and FUTURE_WRITE (without waiting for pins)', () => {
    const w = world();
    const fd = w.memfd('g');
    w.ok(w.seals(fd, S.EXEC));
    const m = w.k.files.find((f) => f.kind === 'memfd');
    expect(m?.kind === 'memfd' && m.seals).toBe(S.EXEC | S.SHRINK | S.GROW | S.WRITE | S.FUTURE_WRITE);
  });
});

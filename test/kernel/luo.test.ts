/**
 * LUO (src/kernel/luo.ts): /dev/liveupdate, sessions, files by token, finish and close. Each errno path has its
 * shortest scenario in rules.test.ts; these tests follow the selftests' flows (tools/testing/selftests/liveupdate).
 */
import { describe, expect, it } from 'vitest';
import { P, World, config } from './harness.ts';

function world(profile: 'linux-7.1-sk-restore' | 'linux-6.19' | 'linux-7.2' = 'linux-7.1-sk-restore'): World {
  return new World(config({ memfds: [{ name: 'a', pages: 1 }, { name: 'b', pages: 1 }] }), profile);
}

describe('/dev/liveupdate', () => {
  it('admits one opener, and opens again once closed (liveupdate.c exclusive_open)', () => {
    const w = world();
    const lu = w.fd(w.luOpen());
    w.err(w.luOpen(), 'EBUSY', 'luo_open:busy');
    w.ok(w.close(lu));
    w.ok(w.luOpen());
  });
  it('does not exist on a kernel without LUO', () => {
    const w = new World(config(), 'linux-6.16');
    w.err(w.luOpen(), 'ENOENT', 'luo_open:no-device');
  });
});

describe('sessions', () => {
  it('names are unique per direction, and free again once the session is closed', () => {
    const w = world();
    const lu = w.fd(w.luOpen());
    const s = w.fd(w.createSession(lu, 'x'));
    w.err(w.createSession(lu, 'x'), 'EEXIST');
    w.ok(w.close(s));
    w.ok(w.createSession(lu, 'x'));
  });
  it('the newest LUO checks names; the first merged one truncates a long name to 63 bytes', () => {
    const w = world();
    const lu = w.fd(w.luOpen());
    w.err(w.createSession(lu, ''), 'EINVAL', 'luo_session_name:empty');
    w.ok(w.createSession(lu, 'A'.repeat(63)));
    w.err(w.createSession(lu, 'B'.repeat(64)), 'EINVAL', 'luo_session_name:unterminated');
    const old = world('linux-6.19');
    const lu2 = old.fd(old.luOpen());
    old.ok(old.createSession(lu2, 'C'.repeat(70)));
    expect(old.k.lu.outgoing[0]?.name).toBe('C'.repeat(63));
    old.err(old.createSession(lu2, 'C'.repeat(64)), 'EEXIST');
    old.ok(old.createSession(lu2, ''));
  });
  it('session ioctls are typed on the newest LUO, and a mistyped one is not modelled on the first merged LUO', () => {
    const w = world();
    const s = w.fd(w.createSession(w.fd(w.luOpen()), 's'));
    w.err(w.retrieveFd(s, 1n), 'EINVAL', 'luo_session_ioctl:type');
    w.err(w.finish(s), 'EINVAL', 'luo_session_ioctl:type');
    const old = world('linux-6.19');
    const s2 = old.fd(old.createSession(old.fd(old.luOpen()), 's'));
    expect(old.notModelled(old.finish(s2))).toMatch(/without typed session ioctls/);
  });
});

describe('files', () => {
  it('a token is unique in its session (checked first), a file is preserved once across sessions', () => {
    const w = world();
    const lu = w.fd(w.luOpen());
    const s1 = w.fd(w.createSession(lu, 's1'));
    const s2 = w.fd(w.createSession(lu, 's2'));
    w.ok(w.preserve(s1, w.memfd('a'), 1n));
    w.err(w.preserve(s1, lu, 1n), 'EEXIST', 'luo_preserve_file:token-used');
    w.err(w.preserve(s2, w.memfd('a'), 1n), 'EBUSY', 'luo_preserve_file:preserved');
    w.ok(w.preserve(s2, w.memfd('b'), 1n));
    w.err(w.preserve(s2, lu, 2n), 'ENOENT', 'luo_preserve_file:no-handler');
  });
  it('LUO holds its own reference: the file outlives its fd; closing the session unpreserves and lets it go', () => {
    const w = world();
    const s = w.fd(w.createSession(w.fd(w.luOpen()), 's'));
    w.ok(w.preserve(s, w.memfd('a'), 1n));
    const id = w.k.lu.outgoing[0]?.files[0]?.file as number;
    w.ok(w.close(w.memfd('a')));
    expect(w.k.files.some((f) => f.id === id)).toBe(true);
    w.ok(w.close(s));
    expect(w.k.files.some((f) => f.id === id)).toBe(false);
    expect(w.k.kho.preserved).toEqual([]);
    expect(w.k.lu.outgoing).toEqual([]);
  });
  it('the first merged LUO holds 128 files per session; the newest grows', () => {
    const grow = new World(config({ memfds: Array.from({ length: 130 }, (_, i) => ({ name: `m${i}`, pages: 1 })) }), 'linux-7.2');
    const s = grow.fd(grow.createSession(grow.fd(grow.luOpen()), 's'));
    for (let i = 0; i < 130; i++) grow.ok(grow.preserve(s, grow.memfd(`m${i}`), BigInt(i)));
    expect(grow.k.lu.outgoing[0]?.files.length).toBe(130);
  });
});

describe('after a kexec', () => {
  function kexeced(): { w: World; lu: number } {
    const w = world();
    const lu = w.fd(w.luOpen());
    const s = w.fd(w.createSession(lu, 's'));
    w.ok(w.preserve(s, w.memfd('a'), 0x1an));
    w.ok(w.kexec('linux-7.1-sk-restore'));
    return { w, lu: w.fd(w.luOpen()) };
  }
  it('a session is retrieved once, a file by token (idempotent), and the old fds are gone', () => {
    const { w, lu } = kexeced();
    expect(w.k.process.fds.map((x) => x.fd)).toEqual([lu]);
    w.err(w.retrieveSession(lu, 'other'), 'ENOENT');
    const s = w.fd(w.retrieveSession(lu, 's'));
    w.err(w.retrieveSession(lu, 's'), 'EINVAL', 'luo_session_retrieve:retrieved');
    w.err(w.retrieveFd(s, 0x2bn), 'ENOENT');
    const a = w.fd(w.retrieveFd(s, 0x1an));
    const b = w.ok(w.retrieveFd(s, 0x1an), 'luo_retrieve_file:again').fd as number;
    expect(a).not.toBe(b);
    const file = (fd: number) => w.k.process.fds.find((x) => x.fd === fd)?.file;
    expect(file(a)).toBe(file(b));
    w.err(w.preserve(s, a, 1n), 'EINVAL', 'luo_session_ioctl:type');
  });
  it('a retrieved file stays held by LUO until its session finishes; closing a retrieved session finishes it', () => {
    const { w, lu } = kexeced();
    const s = w.fd(w.retrieveSession(lu, 's'));
    const m = w.fd(w.retrieveFd(s, 0x1an));
    const next = w.fd(w.createSession(lu, 'next'));
    w.err(w.preserve(next, m, 1n), 'EBUSY', 'luo_preserve_file:preserved');
    w.ok(w.close(s));
    w.ok(w.preserve(next, m, 1n));
    w.err(w.retrieveSession(lu, 's'), 'ENOENT');
  });
  it('FINISH of a memfd never retrieved discards its pages', () => {
    const { w, lu } = kexeced();
    const s = w.fd(w.retrieveSession(lu, 's'));
    const reserved = w.k.kho.incoming;
    expect(reserved.length).toBe(1);
    w.ok(w.finish(s), 'luo_session_finish:ok');
    expect(w.k.kho.incoming).toEqual([]);
    expect(w.k.frames[reserved[0] as number] ?? null).toBeNull();
    expect(w.k.lu.incoming[0]?.files).toEqual([]);
    w.err(w.retrieveFd(s, 0x1an), 'ENOENT');
    void P;
  });
});

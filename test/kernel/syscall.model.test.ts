/**
 * Model-based test of the kernel model (fast-check `fc.commands`): MAP, MAP_FILE, COPY, UNMAP, attach, detach,
 * HWPT alloc and destroy run against a deliberately simple reference: a flat map from IOVA page to source page
 * ("buf:3", "g:1") and prot, plus the area boundaries (the kernel never splits an area). Maps are FIXED or automatic
 * (inside an allowed window, where the reference computes the first fit itself). After every command:
 * - the model's result (ok / errno, and the written-back length) is the one the reference predicts;
 * - every invariant holds (the World harness runs checkStep after each call and throws on a violation);
 * - every domain of the IOAS translates each mapped IOVA page to the frame of exactly that source page (by its
 *   label) with the reference's prot, and translates nothing else in the window.
 *
 * Failing runs print fast-check's seed and path. To replay one:
 *   FC_SEED=<seed> FC_PATH=<path> npx vitest run --config test/vitest.config.ts test/kernel/syscall.model.test.ts
 * FC_RUNS overrides the number of runs (default 1000).
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { translate, IOMMU_READ, IOMMU_WRITE, IOMMU_CACHE, PROFILES, type IoasObject, type ProfileName } from '../../src/kernel/index.ts';
import { BUF_VA, FIXED, MOCK_APERTURE, P, World, config, mockDev } from './harness.ts';

const BASE = MOCK_APERTURE[0];
const SLOTS = 24;
const READ = 4;
const WRITE = 2;

interface Area {
  first: number;
  n: number;
}

/** The reference: per IOAS, a flat page map and the area boundaries; plus the devices' attachments. */
interface Ref {
  pages: Map<number, Map<number, { src: string; prot: number }>>;
  areas: Map<number, Area[]>;
  /** device name -> the HWPT id it is attached to (null: not attached). */
  attached: Map<string, number | null>;
  /** Manual HWPTs we allocated, by id -> IOAS. */
  hwpts: Map<number, number>;
  devids: Map<string, number>;
  /** The profile has IOMMU_IOAS_MAP_FILE (else ENOTTY). */
  mapFile: boolean;
  /** The profile caps automatic IOVA alignment at HPAGE_SIZE (else PAGE_SIZE). */
  thp: boolean;
}

interface Real {
  w: World;
}

const IOASES = [1, 2];

function prot(flags: number): number {
  let p = IOMMU_CACHE;
  if (flags & WRITE) p |= IOMMU_WRITE;
  if (flags & READ) p |= IOMMU_READ;
  return p;
}

function expectResult(got: { ok: boolean; errno?: string }, want: string, what: string): void {
  const g = got.ok ? 'ok' : (got.errno ?? 'not modelled');
  if (g !== want) throw new Error(`${what}: model says ${g}, reference predicts ${want}`);
}

function ioasObj(w: World, id: number): IoasObject {
  for (const f of w.k.files) if (f.kind === 'iommufd') for (const o of f.ctx.objects) if (o.type === 'IOAS' && o.id === id) return o;
  throw new Error(`no IOAS ${id}`);
}

/** Every domain of every IOAS translates exactly the reference's pages, each to the frame of its source page. */
function checkDomains(ref: Ref, w: World): void {
  for (const id of IOASES) {
    const flat = ref.pages.get(id) ?? new Map();
    for (const d of ioasObj(w, id).domains) {
      for (let slot = 0; slot < SLOTS; slot++) {
        const t = translate(w.k, d, BASE + BigInt(slot) * P);
        const want = flat.get(slot);
        if (!want) {
          if (t) throw new Error(`IOAS ${id} domain ${d} translates unmapped slot ${slot}`);
          continue;
        }
        if (!t) throw new Error(`IOAS ${id} domain ${d} does not translate slot ${slot} (${want.src})`);
        const frame = w.k.frames[Number(t.phys / P)];
        if (frame?.label !== want.src || t.prot !== want.prot) {
          throw new Error(`IOAS ${id} domain ${d} slot ${slot}: frame ${frame?.label} prot ${t.prot}, reference ${want.src} prot ${want.prot}`);
        }
      }
    }
  }
}

function free(ref: Ref, ioas: number, first: number, n: number): boolean {
  const flat = ref.pages.get(ioas) ?? new Map();
  for (let i = first; i < first + n; i++) if (flat.has(i)) return false;
  return true;
}

function addArea(ref: Ref, ioas: number, first: number, srcs: string[], p: number): void {
  const flat = ref.pages.get(ioas) ?? new Map();
  srcs.forEach((src, i) => flat.set(first + i, { src, prot: p }));
  ref.pages.set(ioas, flat);
  ref.areas.set(ioas, [...(ref.areas.get(ioas) ?? []), { first, n: srcs.length }].sort((a, b) => a.first - b.first));
}

class MapCmd implements fc.Command<Ref, Real> {
  constructor(readonly ioas: number, readonly slot: number, readonly n: number, readonly src: number, readonly file: boolean, readonly flags: number) {}
  check(): boolean {
    return true;
  }
  run(ref: Ref, real: Real): void {
    const { w } = real;
    const n = Math.min(this.n, SLOTS - this.slot);
    const iova = BASE + BigInt(this.slot) * P;
    const length = BigInt(n) * P;
    const call = this.file
      ? w.mapFile({ ioas_id: this.ioas, fd: w.memfd('g'), start: BigInt(this.src) * P, length, iova, flags: this.flags | FIXED })
      : w.map({ ioas_id: this.ioas, user_va: BUF_VA + BigInt(this.src) * P, length, iova, flags: this.flags | FIXED });
    const want = this.file && !ref.mapFile ? 'ENOTTY' : free(ref, this.ioas, this.slot, n) ? 'ok' : 'EEXIST';
    const r = w.run(call);
    expectResult(r as never, want, this.toString());
    if (r.ok) addArea(ref, this.ioas, this.slot, Array.from({ length: n }, (_, i) => `${this.file ? 'g' : 'buf'}:${this.src + i}`), prot(this.flags));
    checkDomains(ref, w);
  }
  toString(): string {
    return `MAP${this.file ? '_FILE' : ''}(ioas ${this.ioas}, slot ${this.slot}, ${this.n}p, src ${this.src}, flags ${this.flags})`;
  }
}

/**
 * A map with an automatic IOVA. Both IOASes allow only the window, so the allocator must pick, first fit, the lowest
 * window slot aligned to min(roundup_pow_of_two(length), lowest set bit of the user VA) (capped at PAGE_SIZE, or at
 * HPAGE_SIZE with THP) whose pages are free (io_pagetable.c iopt_alloc_iova()); ENOSPC when there is none.
 */
class AutoMapCmd implements fc.Command<Ref, Real> {
  constructor(readonly ioas: number, readonly n: number, readonly src: number) {}
  check(): boolean {
    return true;
  }
  run(ref: Ref, real: Real): void {
    const { w } = real;
    const length = BigInt(this.n) * P;
    const va = BUF_VA + BigInt(this.src) * P;
    let align = 1n;
    while (align < length) align <<= 1n;
    const low = va & -va;
    if (low < align) align = low;
    const cap = ref.thp ? 512n * P : P;
    if (align > cap) align = cap;
    let want: number | null = null;
    for (let slot = 0; slot + this.n <= SLOTS; slot++) {
      if ((BigInt(slot) * P) % align !== 0n) continue;
      if (free(ref, this.ioas, slot, this.n)) {
        want = slot;
        break;
      }
    }
    const r = w.run(w.map({ ioas_id: this.ioas, user_va: va, length, flags: READ | WRITE }));
    expectResult(r as never, want === null ? 'ENOSPC' : 'ok', this.toString());
    if (r.ok) {
      if (r.out.iova !== BASE + BigInt(want ?? -1) * P) throw new Error(`${this.toString()}: iova ${String(r.out.iova)}, reference slot ${want}`);
      addArea(ref, this.ioas, want as number, Array.from({ length: this.n }, (_, i) => `buf:${this.src + i}`), prot(READ | WRITE));
    }
    checkDomains(ref, w);
  }
  toString(): string {
    return `MAP_AUTO(ioas ${this.ioas}, ${this.n}p, src ${this.src})`;
  }
}

class CopyCmd implements fc.Command<Ref, Real> {
  constructor(readonly src: number, readonly dst: number, readonly from: number, readonly to: number, readonly n: number) {}
  check(): boolean {
    return true;
  }
  run(ref: Ref, real: Real): void {
    const { w } = real;
    const n = Math.min(this.n, SLOTS - this.from, SLOTS - this.to);
    const srcFlat = ref.pages.get(this.src) ?? new Map();
    const covered = Array.from({ length: n }, (_, i) => srcFlat.get(this.from + i));
    const want = covered.some((x) => !x) ? 'ENOENT' : free(ref, this.dst, this.to, n) ? 'ok' : 'EEXIST';
    const r = w.run(w.copy({
      src_ioas_id: this.src, dst_ioas_id: this.dst, src_iova: BASE + BigInt(this.from) * P, dst_iova: BASE + BigInt(this.to) * P,
      length: BigInt(n) * P, flags: READ | FIXED,
    }));
    expectResult(r as never, want, this.toString());
    if (r.ok) {
      // One new area per source area piece; for the flat map only the pages matter, for boundaries each piece.
      const flat = ref.pages.get(this.dst) ?? new Map();
      covered.forEach((c, i) => c && flat.set(this.to + i, { src: c.src, prot: prot(READ) }));
      ref.pages.set(this.dst, flat);
      const pieces: Area[] = [];
      for (const a of ref.areas.get(this.src) ?? []) {
        const lo = Math.max(a.first, this.from);
        const hi = Math.min(a.first + a.n, this.from + n);
        if (lo < hi) pieces.push({ first: this.to + (lo - this.from), n: hi - lo });
      }
      ref.areas.set(this.dst, [...(ref.areas.get(this.dst) ?? []), ...pieces].sort((a, b) => a.first - b.first));
    }
    checkDomains(ref, w);
  }
  toString(): string {
    return `COPY(ioas ${this.src} slot ${this.from} -> ioas ${this.dst} slot ${this.to}, ${this.n}p)`;
  }
}

class UnmapCmd implements fc.Command<Ref, Real> {
  constructor(readonly ioas: number, readonly slot: number, readonly n: number, readonly all: boolean) {}
  check(): boolean {
    return true;
  }
  run(ref: Ref, real: Real): void {
    const { w } = real;
    const areas = ref.areas.get(this.ioas) ?? [];
    const flat = ref.pages.get(this.ioas) ?? new Map();
    let want: string;
    let removed: Area[];
    if (this.all) {
      want = 'ok';
      removed = areas;
    } else {
      const hi = this.slot + this.n;
      const hit = areas.filter((a) => a.first < hi && a.first + a.n > this.slot);
      const stop = hit.findIndex((a) => a.first < this.slot || a.first + a.n > hi);
      removed = stop < 0 ? hit : hit.slice(0, stop);
      want = hit.length === 0 || stop >= 0 ? 'ENOENT' : 'ok';
    }
    const r = this.all ? w.run(w.unmap(this.ioas, 0n, 0xffff_ffff_ffff_ffffn)) : w.run(w.unmap(this.ioas, BASE + BigInt(this.slot) * P, BigInt(this.n) * P));
    expectResult(r as never, want, this.toString());
    const bytes = BigInt(removed.reduce((s, a) => s + a.n, 0)) * P;
    if (r.ok && r.out.length !== bytes) throw new Error(`${this.toString()}: length ${String(r.out.length)}, reference ${bytes}`);
    for (const a of removed) for (let i = a.first; i < a.first + a.n; i++) flat.delete(i);
    ref.areas.set(this.ioas, areas.filter((a) => !removed.includes(a)));
    checkDomains(ref, w);
  }
  toString(): string {
    return this.all ? `UNMAP_ALL(ioas ${this.ioas})` : `UNMAP(ioas ${this.ioas}, slot ${this.slot}, ${this.n}p)`;
  }
}

class AttachCmd implements fc.Command<Ref, Real> {
  constructor(readonly dev: string, readonly ioas: number, readonly toManual: boolean) {}
  check(ref: Ref): boolean {
    return ref.devids.has(this.dev);
  }
  run(ref: Ref, real: Real): void {
    const { w } = real;
    let pt = this.ioas;
    if (this.toManual) {
      const manual = [...ref.hwpts].find(([, ioas]) => ioas === this.ioas);
      if (manual) pt = manual[0];
    }
    const r = w.run(w.attach(this.dev, pt));
    expectResult(r as never, 'ok', this.toString());
    if (r.ok) ref.attached.set(this.dev, r.out.pt_id as number);
    checkDomains(ref, w);
  }
  toString(): string {
    return `ATTACH(${this.dev} -> ioas ${this.ioas}${this.toManual ? ' manual HWPT' : ''})`;
  }
}

class DetachCmd implements fc.Command<Ref, Real> {
  constructor(readonly dev: string) {}
  check(ref: Ref): boolean {
    return ref.devids.has(this.dev);
  }
  run(ref: Ref, real: Real): void {
    const r = real.w.run(real.w.detach(this.dev));
    expectResult(r as never, 'ok', this.toString());
    ref.attached.set(this.dev, null);
    checkDomains(ref, real.w);
  }
  toString(): string {
    return `DETACH(${this.dev})`;
  }
}

class HwptAllocCmd implements fc.Command<Ref, Real> {
  constructor(readonly dev: string, readonly ioas: number) {}
  check(ref: Ref): boolean {
    return ref.devids.has(this.dev);
  }
  run(ref: Ref, real: Real): void {
    const devid = ref.devids.get(this.dev) as number;
    const r = real.w.run(real.w.hwptAlloc({ dev_id: devid, pt_id: this.ioas }));
    expectResult(r as never, 'ok', this.toString());
    if (r.ok) ref.hwpts.set(r.out.out_hwpt_id as number, this.ioas);
    checkDomains(ref, real.w);
  }
  toString(): string {
    return `HWPT_ALLOC(${this.dev}, ioas ${this.ioas})`;
  }
}

class HwptDestroyCmd implements fc.Command<Ref, Real> {
  constructor(readonly pick: number) {}
  check(ref: Ref): boolean {
    return ref.hwpts.size > 0;
  }
  run(ref: Ref, real: Real): void {
    const ids = [...ref.hwpts.keys()].sort((a, b) => a - b);
    const id = ids[this.pick % ids.length] as number;
    const busy = [...ref.attached.values()].includes(id);
    const r = real.w.run(real.w.destroy(id));
    expectResult(r as never, busy ? 'EBUSY' : 'ok', `${this.toString()} (id ${id})`);
    if (r.ok) ref.hwpts.delete(id);
    checkDomains(ref, real.w);
  }
  toString(): string {
    return `DESTROY(manual HWPT #${this.pick})`;
  }
}

const DEVS = ['m0', 'm1'];

const commands = [
  fc.tuple(fc.constantFrom(...IOASES), fc.nat(SLOTS - 1), fc.integer({ min: 1, max: 4 }), fc.nat(12), fc.boolean(), fc.constantFrom(READ, WRITE, READ | WRITE))
    .map(([i, s, n, src, file, flags]) => new MapCmd(i, s, n, src, file, flags)),
  fc.tuple(fc.constantFrom(...IOASES), fc.integer({ min: 1, max: 4 }), fc.nat(12)).map(([i, n, src]) => new AutoMapCmd(i, n, src)),
  fc.tuple(fc.constantFrom(...IOASES), fc.constantFrom(...IOASES), fc.nat(SLOTS - 1), fc.nat(SLOTS - 1), fc.integer({ min: 1, max: 4 }))
    .map(([a, b, f, t, n]) => new CopyCmd(a, b, f, t, n)),
  fc.tuple(fc.constantFrom(...IOASES), fc.nat(SLOTS - 1), fc.integer({ min: 1, max: 8 }), fc.boolean())
    .map(([i, s, n, all]) => new UnmapCmd(i, s, n, all && s % 5 === 0)),
  fc.tuple(fc.constantFrom(...DEVS), fc.constantFrom(...IOASES), fc.boolean()).map(([d, i, m]) => new AttachCmd(d, i, m)),
  fc.constantFrom(...DEVS).map((d) => new DetachCmd(d)),
  fc.tuple(fc.constantFrom(...DEVS), fc.constantFrom(...IOASES)).map(([d, i]) => new HwptAllocCmd(d, i)),
  fc.nat(3).map((p) => new HwptDestroyCmd(p)),
];

function setup(profile: ProfileName, pci: boolean): () => { model: Ref; real: Real } {
  return () => {
    const devices = pci ? [{ name: 'm0' }, { name: 'm1' }] : [mockDev('m0'), mockDev('m1')];
    const w = new World(config({ memfds: [{ name: 'g', pages: 16 }], devices, buffers: [{ name: 'buf', va: BUF_VA, pages: 16, holes: [] }] }), profile);
    for (const _ of IOASES) {
      const id = w.newIoas();
      w.ok(w.allow(id, [[BASE, BASE + BigInt(SLOTS) * P - 1n]]));
    }
    const devids = new Map<string, number>();
    for (const d of DEVS) devids.set(d, w.ok(w.bind(d)).out_devid as number);
    return {
      model: {
        pages: new Map(), areas: new Map(), attached: new Map(DEVS.map((d) => [d, null])), hwpts: new Map(), devids,
        mapFile: PROFILES[profile].ioctls.includes('IOMMU_IOAS_MAP_FILE'),
        thp: PROFILES[profile].iovaAllocator.thp,
      },
      real: { w },
    };
  };
}

const RUNS = Number(process.env.FC_RUNS ?? 1000);
const replay = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH, endOnFailure: true } : {};

describe('kernel model against a flat reference (fc.commands)', () => {
  for (const [profile, pci] of [['linux-6.16', false], ['linux-6.12', true]] as const) {
    it(`${profile}, ${pci ? 'PCI' : 'mock'} devices: results, invariants and translations agree`, () => {
      fc.assert(
        fc.property(fc.commands(commands, { maxCommands: 40, size: 'large' }), (cmds) => {
          fc.modelRun(setup(profile, pci), cmds);
        }),
        { numRuns: Math.ceil(RUNS / 2), verbose: 1, ...replay },
      );
    });
  }
});

/**
 * The state store: which states were seen (a table of 64-bit fingerprints), where their encodings are (arenas),
 * and how each was first reached (parent links). After TLC's fingerprint set and Stateright's
 * `DashMap<Fingerprint, Option<Fingerprint>>`, but in flat typed arrays so that worker threads can share it.
 *
 * Kept in one file past 400 lines: the table, the arenas and the parent links share one memory layout and one
 * grow-and-rehash protocol with the workers; split, each piece would have to restate that layout.
 *
 * FINGERPRINT TABLE: open addressing with linear probing; each slot is 3 consecutive int32 words (4 in exact
 * mode), so that a probe touches one cache line:
 * - `lo`, `hi`: the fingerprint halves (fingerprint.ts never yields a zero half; `lo === 0` marks an empty slot).
 *   A slot is claimed by a compare-and-swap on `lo`, then published by storing `hi`: a reader that sees its `lo`
 *   but `hi === 0` waits for the writer, which is between two stores.
 * - `key`: during a level, the smallest frontier index from which the state was reached in this level
 *   (`NO_KEY` for states of earlier levels). The search's determinism rests on it: whatever thread finds a state
 *   first, its parent is the lowest (frontier index, action index) that reaches it, as in a sequential search.
 * - `aux` (exact mode only): arena offset of the state's encoding, compared on a fingerprint match, so that two
 *   states with equal fingerprints are both kept.
 * The table never deletes. It grows between levels, and a level that fills it pauses, moves to a bigger copy
 * (`rehashed`) and resumes (bfs.ts): an insert that cannot be done safely is refused (TABLE_FULL), never lost.
 *
 * ARENA: a byte area with a shared bump pointer; each entry is a 4-byte little-endian length, then the encoding.
 * An insert reserves its bytes before it claims a slot and writes them only once the slot is its own (a thread
 * that loses the slot gives its reservation back), so the arena holds exactly the stored states' encodings: its
 * size, and when it grows, are a function of the level's content, never of which thread won a race.
 *
 * PARENT LINKS (StateLinks): per state, in breadth-first order, the index of its parent and the index of the
 * action (in `model.actions(parent)`) that reached it; initial states have parent `NO_PARENT` and their index in
 * `model.initStates()` as action. path.ts replays them.
 */

/** `key` of a slot that holds a state of an earlier level. */
export const NO_KEY = 0x7fff_ffff;
/** Parent of an initial state. */
export const NO_PARENT = 0xffff_ffff;
/** insert(): the table is too full to insert safely; the level pauses and resumes in a bigger table. */
export const TABLE_FULL = 0x7fff_ffff;
/** insert(): the arena has no room for the encoding; the level pauses and resumes with a bigger arena. */
export const ARENA_FULL = 0x7fff_fffe;

/** A word nobody writes, to wait on with a timeout (a short sleep). */
const BACKOFF = new Int32Array(new SharedArrayBuffer(4));
const META_USED = 0;
const META_COLLISIONS = 1;
const META_INTS = 2;
const TOP_USED = 0;
const TOP_RESERVED = 1;


/** Buffers of a FingerprintTable, to ship it to another thread. */
export interface TableBuffers {
  readonly capacity: number;
  readonly exact: boolean;
  readonly slots: ArrayBufferLike;
  readonly meta: ArrayBufferLike;
}

/** Buffers of an Arena, to ship it to another thread. */
export interface ArenaBuffers {
  readonly bytes: ArrayBufferLike;
  readonly top: ArrayBufferLike;
}

function allocate(bytes: number, shared: boolean): ArrayBufferLike {
  return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/** Append-only byte area shared by the threads of a search; entries are length-prefixed encodings. */
export class Arena {
  readonly bytes: Uint8Array;
  /** top[TOP_USED]: the next free byte; top[TOP_RESERVED]: bytes used or promised to an insert in flight. */
  readonly top: Int32Array;

  /** Several threads append: reservations move by compare-and-swap. */
  private readonly shared: boolean;

  constructor(buffers: ArenaBuffers) {
    this.bytes = new Uint8Array(buffers.bytes);
    this.top = new Int32Array(buffers.top);
    this.shared = typeof SharedArrayBuffer !== 'undefined' && buffers.top instanceof SharedArrayBuffer;
  }

  /** A new empty arena of `capacity` bytes (at most 2^31 - 1). */
  static create(capacity: number, shared: boolean): Arena {
    return new Arena({ bytes: allocate(Math.max(64, capacity), shared), top: allocate(8, shared) });
  }

  get capacity(): number {
    return this.bytes.length;
  }

  /** Bytes in use. */
  get used(): number {
    return Atomics.load(this.top, TOP_USED);
  }

  buffers(): ArenaBuffers {
    return { bytes: this.bytes.buffer, top: this.top.buffer };
  }

  /** Forgets every entry (the next level's arena in fingerprint mode). */
  clear(): void {
    Atomics.store(this.top, TOP_USED, 0);
    Atomics.store(this.top, TOP_RESERVED, 0);
  }

  /** Promises room for an entry of `len` bytes to the caller, who then calls write() or release(); false if full. */
  reserve(len: number): boolean {
    const need = len + 4;
    const cap = this.bytes.length;
    const top = this.top;
    if (!this.shared) {
      if (top[TOP_RESERVED]! + need > cap) return false;
      top[TOP_RESERVED] = top[TOP_RESERVED]! + need;
      return true;
    }
    let r = Atomics.load(top, TOP_RESERVED);
    for (;;) {
      if (r + need > cap) return false;
      const seen = Atomics.compareExchange(top, TOP_RESERVED, r, r + need);
      if (seen === r) return true;
      r = seen;
    }
  }

  /** Gives back a reservation of `len` bytes that will not be written. */
  release(len: number): void {
    if (this.shared) Atomics.sub(this.top, TOP_RESERVED, len + 4);
    else this.top[TOP_RESERVED] = this.top[TOP_RESERVED]! - (len + 4);
  }

  /** True while some thread holds a reservation it has neither written nor released. */
  inFlight(): boolean {
    return Atomics.load(this.top, TOP_RESERVED) !== Atomics.load(this.top, TOP_USED);
  }

  /** Writes `src[start, start+len)` into room reserved by reserve(len); returns its entry offset. */
  write(src: Uint8Array, start: number, len: number): number {
    const need = len + 4;
    let off: number;
    if (this.shared) off = Atomics.add(this.top, TOP_USED, need);
    else {
      off = this.top[TOP_USED]!;
      this.top[TOP_USED] = off + need;
    }
    const b = this.bytes;
    b[off] = len & 0xff;
    b[off + 1] = (len >>> 8) & 0xff;
    b[off + 2] = (len >>> 16) & 0xff;
    b[off + 3] = (len >>> 24) & 0xff;
    if (len <= 128) {
      // Short encodings (the common case): a loop beats creating a subarray for set().
      const d = off + 4 - start;
      for (let i = start; i < start + len; i++) b[d + i] = src[i]!;
    } else {
      b.set(src.subarray(start, start + len), off + 4);
    }
    return off;
  }

  /** Appends `src[start, start+len)` and returns its entry offset, or ARENA_FULL (then nothing is taken). */
  append(src: Uint8Array, start: number, len: number): number {
    return this.reserve(len) ? this.write(src, start, len) : ARENA_FULL;
  }

  /** Length of the entry at `off`. */
  lengthAt(off: number): number {
    const b = this.bytes;
    return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
  }

  /** A copy into a (possibly bigger) new arena; entry offsets are kept. */
  grownTo(capacity: number, shared: boolean): Arena {
    const next = Arena.create(capacity, shared);
    const used = this.used;
    next.bytes.set(this.bytes.subarray(0, used));
    Atomics.store(next.top, TOP_USED, used);
    Atomics.store(next.top, TOP_RESERVED, used);
    return next;
  }
}

/** Word offsets inside a slot. */
const LO = 0;
const HI = 1;
const KEY = 2;
const AUX = 3;

/** Open-addressing set of 64-bit fingerprints with per-level claim keys; see the file header. */
export class FingerprintTable {
  readonly capacity: number;
  readonly mask: number;
  /** Slot s is words [s·stride, s·stride + stride): lo, hi, key (and aux in exact mode): one cache line. */
  readonly slots: Int32Array;
  /** 3 words per slot, 4 in exact mode. */
  readonly stride: number;
  readonly exact: boolean;
  /** meta[0]: slots in use; meta[1]: fingerprint collisions told apart (exact mode). */
  readonly meta: Int32Array;
  /** Past this many slots in use, an insert is refused (TABLE_FULL) rather than risk a full table. */
  readonly hardLimit: number;
  /** Past this many slots in use, a level pauses at the next state boundary to grow the table. */
  readonly softLimit: number;
  /** Arena offset of the state inserted by the last successful insert() (this thread). */
  lastOffset = 0;
  /**
   * Inserts by this thread not yet added to meta[USED]: the shared counter is written once per `batch` inserts,
   * not once per insert (every thread writes it, so each write moves its cache line between cores). Readers of
   * `used` (the limits) see at most threads·batch fewer than there are; `flush()` settles it.
   */
  private pending = 0;
  private readonly batch: number;
  /** The slots live in shared memory (worker threads): publication goes through Atomics. */
  private readonly shared: boolean;

  constructor(readonly bufs: TableBuffers) {
    this.capacity = bufs.capacity;
    this.mask = bufs.capacity - 1;
    this.exact = bufs.exact;
    this.stride = bufs.exact ? 4 : 3;
    this.slots = new Int32Array(bufs.slots);
    this.shared = typeof SharedArrayBuffer !== 'undefined' && bufs.slots instanceof SharedArrayBuffer;
    this.meta = new Int32Array(bufs.meta);
    this.hardLimit = Math.floor(this.capacity * 0.9);
    this.softLimit = Math.floor(this.capacity * 0.75);
    // At most 1/1024 of the table per thread behind: the hard limit keeps a 10% margin for that.
    this.batch = Math.max(1, Math.min(64, this.capacity >>> 10));
  }

  /** Adds this thread's pending inserts to the shared count (at the end of its share of a level). */
  flush(): void {
    if (this.pending > 0) {
      Atomics.add(this.meta, META_USED, this.pending);
      this.pending = 0;
    }
  }

  /** An empty table with `capacity` slots (a power of two); `exact` adds the encoding offsets. */
  static create(capacity: number, shared: boolean, exact: boolean): FingerprintTable {
    if (capacity < 16 || (capacity & (capacity - 1)) !== 0 || capacity > 2 ** 30) {
      throw new RangeError(`FingerprintTable: capacity ${capacity} is not a power of two in [16, 2^30]`);
    }
    const stride = exact ? 4 : 3;
    const slots = allocate(capacity * stride * 4, shared);
    const words = new Int32Array(slots);
    for (let i = KEY; i < words.length; i += stride) words[i] = NO_KEY;
    return new FingerprintTable({ capacity, exact, slots, meta: allocate(META_INTS * 4, shared) });
  }

  /** Bytes per slot: 12, or 16 in exact mode. */
  static slotBytes(exact: boolean): number {
    return exact ? 16 : 12;
  }

  get used(): number {
    return Atomics.load(this.meta, META_USED);
  }

  get collisions(): number {
    return Atomics.load(this.meta, META_COLLISIONS);
  }

  get bytes(): number {
    return this.capacity * FingerprintTable.slotBytes(this.exact);
  }

  buffers(): TableBuffers {
    return this.bufs;
  }

  /** The claim key of `slot` (NO_KEY for a state of an earlier level). */
  keyAt(slot: number): number {
    return this.slots[slot * this.stride + KEY]!;
  }

  /** Sets the claim key of `slot` (single-threaded: between levels). */
  setKey(slot: number, k: number): void {
    this.slots[slot * this.stride + KEY] = k;
  }

  /**
   * Finds the state with fingerprint (lo, hi) (and, in exact mode, encoding `enc[start, start+len)` compared with
   * `arena`), or inserts it: a new state gets `key = k` and its encoding appended to `arena`.
   * Returns the slot (>= 0) of a new state, `-(slot + 1)` of a state already present, or TABLE_FULL / ARENA_FULL.
   * A new state's arena offset is left in `lastOffset`.
   */
  insert(lo: number, hi: number, k: number, enc: Uint8Array, start: number, len: number, arena: Arena): number {
    const w = this.slots;
    const stride = this.stride;
    const mask = this.mask;
    const shared = this.shared;
    let s = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    let reserved = false;
    let collided = false;
    for (;;) {
      const base = s * stride;
      // A plain read: a stale 0 only sends us to the compare-and-swap below, which sees the truth.
      let cur = w[base + LO]!;
      if (cur === 0) {
        if (Atomics.load(this.meta, META_USED) >= this.hardLimit) return TABLE_FULL;
        // Room for the encoding is reserved before the slot is claimed, so that a full arena leaves the table
        // untouched (the level then resumes in a bigger arena).
        if (!reserved && !(reserved = arena.reserve(len))) {
          // Full, or only promised to inserts in flight that may lose their slot and give it back: wait for
          // them. Then a full arena is full of stored states, and growing it does not depend on a race.
          for (let spins = 0; arena.inFlight(); spins++) if (spins >= 64) Atomics.wait(BACKOFF, 0, 0, 0.05);
          reserved = arena.reserve(len);
          if (!reserved) {
            if ((shared ? Atomics.load(w, base + LO) : w[base + LO]!) === 0) return ARENA_FULL;
            continue; // Another thread took this slot meanwhile: look at it again.
          }
        }
        if (shared) cur = Atomics.compareExchange(w, base + LO, 0, lo);
        else w[base + LO] = lo;
        if (cur === 0) {
          const off = arena.write(enc, start, len);
          if (++this.pending >= this.batch) this.flush();
          // Counted once per state that shares its fingerprint with a state inserted before it: k-1 for k
          // such states, whatever the insertion order.
          if (collided) Atomics.add(this.meta, META_COLLISIONS, 1);
          this.lastOffset = off;
          w[base + KEY] = k;
          if (stride === 4) w[base + AUX] = off;
          // Publishes the slot: the atomic store orders the plain stores above before it, for any thread
          // that reads `hi` atomically (below, and in claim()).
          if (shared) Atomics.store(w, base + HI, hi);
          else w[base + HI] = hi;
          return s;
        }
        // Another thread won the slot: our bytes are not needed there.
        arena.release(len);
        reserved = false;
      }
      if (cur === lo) {
        let h = shared ? Atomics.load(w, base + HI) : w[base + HI]!;
        for (let spins = 0; h === 0; spins++) {
          // The writer is between its two stores; if it was descheduled there, sleep a little instead of
          // burning the rest of our time slice (a 2-core machine is often shared).
          if (spins >= 64) Atomics.wait(BACKOFF, 0, 0, 0.05);
          h = Atomics.load(w, base + HI);
        }
        if (h === hi) {
          if (stride === 3 || this.sameEncoding(base, enc, start, len, arena)) return -(s + 1);
          collided = true;
        }
      }
      s = (s + 1) & mask;
    }
  }

  /** The slot holding (lo, hi) (and, in exact mode, the encoding), or -1. Read-only; for check-only levels. */
  find(lo: number, hi: number, enc: Uint8Array, start: number, len: number, arena: Arena): number {
    const w = this.slots;
    const stride = this.stride;
    const mask = this.mask;
    let s = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const base = s * stride;
      const cur = w[base + LO]!;
      if (cur === 0) return -1;
      if (cur === lo && Atomics.load(w, base + HI) === hi) {
        if (stride === 3 || this.sameEncoding(base, enc, start, len, arena)) return s;
      }
      s = (s + 1) & mask;
    }
  }

  /**
   * Lowers `key[slot]` to `k` if `k` is smaller; true when it did (this thread now holds the smallest key). A
   * state of an earlier level (NO_KEY) is never claimed.
   */
  claim(slot: number, k: number): boolean {
    const w = this.slots;
    const at = slot * this.stride + KEY;
    // A plain read is enough to give up: keys only decrease during a level, and a state of an earlier level
    // (NO_KEY, published before the `hi` the caller read atomically) never changes.
    let cur = w[at]!;
    while (k < cur && cur !== NO_KEY) {
      const prev = Atomics.compareExchange(w, at, cur, k);
      if (prev === cur) return true;
      cur = prev;
    }
    return false;
  }

  private sameEncoding(base: number, enc: Uint8Array, start: number, len: number, arena: Arena): boolean {
    const off = this.slots[base + AUX]!;
    if (arena.lengthAt(off) !== len) return false;
    const b = arena.bytes;
    const from = off + 4;
    for (let i = 0; i < len; i++) if (b[from + i] !== enc[start + i]) return false;
    return true;
  }

  /**
   * A copy with `capacity` slots (a level paused on a full table resumes in it). With `mapSlots`, `slotMap[old
   * slot]` gives each entry's new slot, for the claims and inserts already recorded (between levels there are none,
   * and the map is not built: fresh memory costs page faults, on the main thread). Single-threaded: no level may be
   * running.
   */
  rehashed(capacity: number, shared: boolean, mapSlots = false): { table: FingerprintTable; slotMap: Int32Array | undefined } {
    const next = FingerprintTable.create(capacity, shared, this.exact);
    const stride = this.stride;
    const from = this.slots;
    const to = next.slots;
    const slotMap = mapSlots ? new Int32Array(this.capacity).fill(-1) : undefined;
    const nmask = next.mask;
    let used = 0;
    for (let s = 0; s < this.capacity; s++) {
      const b = s * stride;
      const l = from[b + LO]!;
      if (l === 0) continue;
      const h = from[b + HI]!;
      let t = (l ^ Math.imul(h, 0x9e3779b1)) & nmask;
      while (to[t * stride + LO] !== 0) t = (t + 1) & nmask;
      const nb = t * stride;
      for (let i = 0; i < stride; i++) to[nb + i] = from[b + i]!;
      if (slotMap) slotMap[s] = t;
      used++;
    }
    next.meta[META_USED] = used;
    next.meta[META_COLLISIONS] = this.meta[META_COLLISIONS]!;
    return { table: next, slotMap };
  }
}

/** Parent index and action index per state, in breadth-first order; grows by doubling. Main thread only. */
export class StateLinks {
  parent: Uint32Array;
  action: Uint32Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.parent = new Uint32Array(initialCapacity);
    this.action = new Uint32Array(initialCapacity);
  }

  /** Bytes held (capacity, not just length). */
  get bytes(): number {
    return this.parent.byteLength + this.action.byteLength;
  }

  /** Makes room for `n` more states. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.parent.length) return;
    let cap = this.parent.length * 2;
    while (cap < need) cap *= 2;
    const p = new Uint32Array(cap);
    p.set(this.parent.subarray(0, this.length));
    const a = new Uint32Array(cap);
    a.set(this.action.subarray(0, this.length));
    this.parent = p;
    this.action = a;
  }

  /** Appends a state; returns its index. */
  push(parent: number, action: number): number {
    if (this.length >= this.parent.length) this.reserve(1);
    this.parent[this.length] = parent;
    this.action[this.length] = action;
    return this.length++;
  }

  /** Forgets states from index `length` on (a truncated last level). */
  truncate(length: number): void {
    this.length = Math.min(this.length, length);
  }
}

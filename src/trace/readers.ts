/**
 * The two FieldReaders of ops.ts. `CheckingReader` runs at load time: it reads every field as the replay will,
 * records what is wrong (a number out of range, a label no earlier step binds, a file the trace does not have)
 * as a located error, and returns placeholders so that checking goes on. `ResolvingReader` runs at replay time:
 * labels and names become the ids and fds of the running world; a label whose binding step failed throws
 * `Unresolved`, which stops the trace (there is no honest id to pass instead).
 */
import { didYouMean } from './closeMatches.ts';
import type { TraceInputError } from './errors.ts';
import { isNumeric, parseU32, parseU64 } from './numbers.ts';
import type { FieldReader, LabelKind } from './ops.ts';
import type { FdRef, IdRef, IovaRange, U32Value, U64Value } from './types.ts';
import type { BootFds, IommuIovaRange } from '../kernel/index.ts';

/** The names a trace's config declares, by what they name. `iommufd` is implicit. */
export interface ConfigNames {
  memfds: ReadonlySet<string>;
  buffers: ReadonlySet<string>;
  devices: ReadonlySet<string>;
}

/** The fd every trace starts with: the /dev/iommu the process opened. */
export const IMPLICIT_IOMMUFD = 'iommufd';

/** What a config name is, for messages; undefined when it is not a config name. */
export function configKind(names: ConfigNames, name: string): string | undefined {
  if (name === IMPLICIT_IOMMUFD) return 'the iommufd';
  if (names.memfds.has(name)) return 'a config memfd';
  if (names.devices.has(name)) return 'a config device';
  if (names.buffers.has(name)) return 'a config buffer';
  return undefined;
}

/** Reads flags, enums and numbers the same way in both readers (their values were range-checked by the schema). */
abstract class BaseReader implements FieldReader {
  abstract u64(field: string, v: U64Value | undefined): bigint;
  abstract u32(field: string, v: U32Value | undefined): number;
  abstract id(field: string, v: IdRef | undefined): number;
  abstract fd(field: string, v: FdRef): number;
  abstract liveupdateFd(field: string, v: FdRef | undefined): number;
  abstract device(field: string, v: string): string;

  flags(_field: string, v: readonly string[] | number | undefined, table: Readonly<Record<string, number>>): number {
    if (v === undefined) return 0;
    if (typeof v === 'number') return v >>> 0;
    let bits = 0;
    for (const name of v) bits |= table[name] ?? 0;
    return bits >>> 0;
  }

  enumValue(_field: string, v: string | number | undefined, table: Readonly<Record<string, number>>): number {
    if (v === undefined) return 0;
    return typeof v === 'number' ? v : (table[v] ?? 0);
  }

  ranges(field: string, v: readonly IovaRange[]): IommuIovaRange[] {
    return v.map((r, i) => ({ start: this.u64(`${field}[${i}].start`, r.start), last: this.u64(`${field}[${i}].last`, r.last) }));
  }
}

/** A label known at load time: what it names and the step that binds it. */
export interface StaticLabel {
  kind: LabelKind;
  step: number;
}

/** What the load-time check knows of the world before a step, besides the labels. */
export interface StaticWorld {
  /** The last KEXEC before this step that is expected to boot (its step index), or null. */
  kexec: number | null;
  /** Whether a LIVEUPDATE_OPEN since then may have opened /dev/liveupdate (the default of a session ioctl's `fd`). */
  liveupdate: boolean;
}

/** Load-time reader for one step: checks every field, collects errors, returns placeholders. */
export class CheckingReader extends BaseReader {
  constructor(
    private readonly file: string,
    private readonly step: number,
    private readonly names: ConfigNames,
    private readonly labels: ReadonlyMap<string, StaticLabel>,
    private readonly errors: TraceInputError[],
    private readonly world: StaticWorld = { kexec: null, liveupdate: false },
  ) {
    super();
  }

  private fail(field: string, message: string): void {
    this.errors.push({ kind: 'trace', file: this.file, step: this.step, field, message });
  }

  u64(field: string, v: U64Value | undefined): bigint {
    if (v === undefined) return 0n;
    const r = parseU64(v);
    if (!r.ok) this.fail(field, r.message);
    return r.ok ? r.value : 0n;
  }

  u32(field: string, v: U32Value | undefined): number {
    if (v === undefined) return 0;
    const r = parseU32(v);
    if (!r.ok) this.fail(field, r.message);
    return r.ok ? r.value : 0;
  }

  id(field: string, v: IdRef | undefined): number {
    if (v === undefined) return 0;
    if (typeof v === 'number' || isNumeric(v)) return this.u32(field, v);
    const label = this.labels.get(v);
    if (label === undefined) {
      const what = configKind(this.names, v);
      this.fail(field, what
        ? `"${v}" is ${what}, not an object id: bind the id a step returns with "as" and use that label`
        : `unknown label "${v}": no earlier step binds it with "as"${didYouMean(v, [...this.labels.keys()])}`);
    } else if (label.kind !== 'object') {
      this.fail(field, `label "${v}" (bound at step ${label.step}) names a file, not an object id`);
    }
    return 0;
  }

  fd(field: string, v: FdRef): number {
    const what = configKind(this.names, v);
    if (what !== undefined) {
      if (this.names.buffers.has(v)) this.fail(field, `"${v}" is a config buffer (process memory), not a file`);
      else if (this.world.kexec !== null) {
        this.fail(field, `"${v}" is ${what} of the kernel before the KEXEC at step ${this.world.kexec}: its fds are gone; retrieve the file with LIVEUPDATE_SESSION_RETRIEVE_FD (or open it anew) and use that label`);
      }
      return 0;
    }
    const label = this.labels.get(v);
    if (label === undefined) {
      const files = [IMPLICIT_IOMMUFD, ...this.names.memfds, ...this.names.devices,
        ...[...this.labels].filter(([, l]) => l.kind === 'fd').map(([n]) => n)];
      this.fail(field, `unknown file "${v}": not ${IMPLICIT_IOMMUFD}, a config memfd or device, or an fd label${didYouMean(v, files)}`);
    } else if (label.kind !== 'fd') {
      this.fail(field, `label "${v}" (bound at step ${label.step}) names an object id, not a file`);
    }
    return 0;
  }

  liveupdateFd(field: string, v: FdRef | undefined): number {
    if (v !== undefined) return this.fd(field, v);
    if (!this.world.liveupdate) this.fail(field, 'no /dev/liveupdate is open here: add a LIVEUPDATE_OPEN step before it, or name the fd');
    return 0;
  }

  device(field: string, v: string): string {
    if (!this.names.devices.has(v)) this.fail(field, `"${v}" is not a device of the config${didYouMean(v, [...this.names.devices])}`);
    return v;
  }
}

/** A label's binding while a trace runs. */
export interface RuntimeLabel {
  kind: LabelKind;
  value: number;
  step: number;
}

/** Thrown by ResolvingReader when a label has no value because the step that binds it failed. */
export class Unresolved extends Error {
  constructor(readonly field: string, readonly label: string, readonly reason: string) {
    super(`field ${field}: label "${label}" has no value: ${reason}`);
  }
}

/** The names and labels of a running trace, and their values. */
export interface RuntimeEnv {
  fds: BootFds;
  labels: Map<string, RuntimeLabel>;
  /** Labels whose binding step failed, with why (so that a use of one can say so). */
  unbound: Map<string, string>;
  /** The step of the last KEXEC that booted a new kernel (the config's fds are gone since), or null. */
  kexec: number | null;
  /** The fd the last successful LIVEUPDATE_OPEN returned, while it is open; null otherwise. */
  liveupdate: number | null;
}

/** Replay-time reader: numbers as written, labels and names as the running world has them. */
export class ResolvingReader extends BaseReader {
  constructor(private readonly env: RuntimeEnv) {
    super();
  }

  u64(_field: string, v: U64Value | undefined): bigint {
    if (v === undefined) return 0n;
    const r = parseU64(v);
    if (!r.ok) throw new Error(`trace not checked before replay: ${r.message}`);
    return r.value;
  }

  u32(_field: string, v: U32Value | undefined): number {
    if (v === undefined) return 0;
    const r = parseU32(v);
    if (!r.ok) throw new Error(`trace not checked before replay: ${r.message}`);
    return r.value;
  }

  private label(field: string, name: string, kind: LabelKind): number {
    const l = this.env.labels.get(name);
    if (l === undefined || l.kind !== kind) {
      throw new Unresolved(field, name, this.env.unbound.get(name) ?? 'it was never bound');
    }
    return l.value;
  }

  id(field: string, v: IdRef | undefined): number {
    if (v === undefined) return 0;
    if (typeof v === 'number' || isNumeric(v)) return this.u32(field, v);
    return this.label(field, v, 'object');
  }

  fd(field: string, v: FdRef): number {
    const { fds } = this.env;
    const config = v === IMPLICIT_IOMMUFD || Object.hasOwn(fds.memfds, v) || Object.hasOwn(fds.devices, v);
    if (config && this.env.kexec !== null) {
      throw new Unresolved(field, v, `it is a file of the kernel before the KEXEC at step ${this.env.kexec}, whose fds are gone`);
    }
    if (v === IMPLICIT_IOMMUFD) return fds.iommufd;
    if (Object.hasOwn(fds.memfds, v)) return fds.memfds[v] as number;
    if (Object.hasOwn(fds.devices, v)) return fds.devices[v] as number;
    return this.label(field, v, 'fd');
  }

  liveupdateFd(field: string, v: FdRef | undefined): number {
    if (v !== undefined) return this.fd(field, v);
    if (this.env.liveupdate === null) throw new Unresolved(field, '/dev/liveupdate', 'no /dev/liveupdate is open');
    return this.env.liveupdate;
  }

  device(_field: string, v: string): string {
    return v;
  }
}

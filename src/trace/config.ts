/**
 * A trace's `config` → the kernel model's WorldConfig, checking what the schema cannot: names unique (memfds,
 * buffers and devices share one namespace with the labels, and `iommufd` is taken), a power-of-two page size,
 * page-aligned buffers that do not overlap (mmap MAP_FIXED_NOREPLACE would refuse them) with holes inside
 * them, apertures with start <= last, a non-zero pgsize bitmap, capabilities listed once. What the kernel model
 * itself cannot boot (a page size it does not support) is found by booting it, still before any step runs
 * (runner.ts checkBoot).
 */
import type { WorldConfig } from '../kernel/index.ts';
import type { TraceInputError } from './errors.ts';
import { parseU32, parseU64, parseUnsigned, U64_MAX } from './numbers.ts';
import type { Parsed } from './numbers.ts';
import { IMPLICIT_IOMMUFD } from './readers.ts';
import type { ConfigNames } from './readers.ts';
import type { TraceConfig, U32Value, U64Value } from './types.ts';

/** PAGE_SIZE when a trace does not give one. */
export const DEFAULT_PAGE_SIZE = 4096n;

/** The world of a config and its names, or the errors that make it unusable. */
export interface ConfigResult {
  world: WorldConfig;
  names: ConfigNames;
}

/** Converts and checks `config`; errors are appended to `errors` (the result is then a best effort). */
export function readConfig(file: string, config: TraceConfig, errors: TraceInputError[]): ConfigResult {
  const fail = (field: string, message: string): void => { errors.push({ kind: 'trace', file, field: `config.${field}`, message }); };
  const u64 = (field: string, v: U64Value): bigint => take(parseU64(v), field, 0n);
  const u32 = (field: string, v: U32Value): number => take(parseU32(v), field, 0);
  function take<T>(r: Parsed<T>, field: string, fallback: T): T {
    if (!r.ok) fail(field, r.message);
    return r.ok ? r.value : fallback;
  }

  const pageSize = config.pageSize === undefined ? DEFAULT_PAGE_SIZE : u64('pageSize', config.pageSize);
  if (pageSize === 0n || (pageSize & (pageSize - 1n)) !== 0n) fail('pageSize', `${pageSize} is not a power of two`);

  const seen = new Map<string, string>([[IMPLICIT_IOMMUFD, 'the implicit iommufd']]);
  const claim = (field: string, name: string): void => {
    const prior = seen.get(name);
    if (prior !== undefined) fail(field, `name "${name}" is already taken by ${prior}`);
    else seen.set(name, `config.${field}`);
  };

  const memfds = (config.memfds ?? []).map((m, i) => {
    claim(`memfds[${i}].name`, m.name);
    return { name: m.name, pages: u32(`memfds[${i}].pages`, m.pages) };
  });

  const buffers = (config.buffers ?? []).map((b, i) => {
    claim(`buffers[${i}].name`, b.name);
    const va = u64(`buffers[${i}].va`, b.va);
    const pages = u32(`buffers[${i}].pages`, b.pages);
    const holes = (b.holes ?? []).map((h, j) => u32(`buffers[${i}].holes[${j}]`, h));
    if (pageSize > 0n && va % pageSize !== 0n) fail(`buffers[${i}].va`, `0x${va.toString(16)} is not aligned to the page size (${pageSize})`);
    if (va + BigInt(pages) * pageSize - 1n > U64_MAX) fail(`buffers[${i}].pages`, 'the buffer runs past the end of the address space');
    holes.forEach((h, j) => {
      if (h >= pages) fail(`buffers[${i}].holes[${j}]`, `page index ${h} is outside the buffer (${pages} pages)`);
      if (holes.indexOf(h) !== j) fail(`buffers[${i}].holes[${j}]`, `page index ${h} is listed twice`);
    });
    return { name: b.name, va, pages, holes };
  });
  buffers.forEach((a, i) => buffers.forEach((b, j) => {
    if (j <= i || a.pages === 0 || b.pages === 0) return;
    const aEnd = a.va + BigInt(a.pages) * pageSize;
    const bEnd = b.va + BigInt(b.pages) * pageSize;
    if (a.va < bEnd && b.va < aEnd) fail(`buffers[${j}]`, `overlaps buffer "${a.name}"`);
  }));

  const devices = (config.devices ?? []).map((d, i) => {
    claim(`devices[${i}].name`, d.name);
    const dev: WorldConfig['devices'][number] = { name: d.name };
    if (d.aperture !== undefined) {
      const start = u64(`devices[${i}].aperture[0]`, d.aperture[0]);
      const last = u64(`devices[${i}].aperture[1]`, d.aperture[1]);
      if (start > last) fail(`devices[${i}].aperture`, `start 0x${start.toString(16)} is above last 0x${last.toString(16)}`);
      dev.aperture = [start, last];
    }
    if (d.pgsize !== undefined) {
      dev.pgsize = u64(`devices[${i}].pgsize`, d.pgsize);
      if (dev.pgsize === 0n) fail(`devices[${i}].pgsize`, 'the pgsize bitmap is empty');
    }
    if (d.dirty_tracking !== undefined) dev.dirtyTracking = d.dirty_tracking;
    if (d.break_before_make !== undefined) dev.breakBeforeMake = d.break_before_make;
    return dev;
  });

  const world: WorldConfig = { pageSize, memfds, buffers, devices };
  if (config.rlimit_memlock !== undefined) {
    world.rlimitMemlock = Number(take(parseUnsigned(config.rlimit_memlock, BigInt(Number.MAX_SAFE_INTEGER), 'a page count up to 2^53-1'), 'rlimit_memlock', 0n));
  }
  if (config.capabilities !== undefined) {
    const caps = config.capabilities;
    caps.forEach((c, i) => { if (caps.indexOf(c) !== i) fail(`capabilities[${i}]`, `${c} is listed twice`); });
    world.capabilities = { ipcLock: caps.includes('IPC_LOCK'), sysResource: caps.includes('SYS_RESOURCE') };
  }
  const names: ConfigNames = {
    memfds: new Set(memfds.map((m) => m.name)),
    buffers: new Set(buffers.map((b) => b.name)),
    devices: new Set(devices.map((d) => d.name)),
  };
  return { world, names };
}

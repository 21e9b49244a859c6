/**
 * Replay speed (`npm run bench`, or `npm run bench -- replay [--steps N] [--seed S]`): generates a trace of
 * 100,000 steps that a VMM could plausibly issue (maps from process memory and memfds, unmaps, copies between
 * IOASes, device attach/replace/detach, unmap-all, and calls that fail: overlapping maps, unmaps of nothing,
 * destroys of busy objects), then times loading it (JSON parse, schema, checks) and replaying it through the
 * kernel model without and with the invariant checks after every step. Prints steps per second.
 *
 * The generator tracks only what it needs to aim its calls (which IOVA slots it mapped, where devices are); the
 * model decides every result. The figures are for this machine and this trace; the step mix and the result mix
 * are printed so that runs can be compared.
 */
import { performance } from 'node:perf_hooks';
import { KERNEL_API, loadTraceText, replayTrace } from '../../src/trace/index.ts';
import type { ReplayStepLine, TraceReport } from '../../src/trace/index.ts';

const args = process.argv.slice(2);
const argValue = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const STEPS = argValue('--steps', 100_000);
const SEED = argValue('--seed', 1);

/** mulberry32: a small deterministic PRNG, so that every run replays the same trace. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PAGE = 4096;
const BUFFER_VA = 0x7f00_0000_0000;
const BUFFER_PAGES = 256;
const MEMFD_PAGES = 256;
const IOAS_COUNT = 4;
const SLOTS = 64;
/** Each slot is 16 pages of IOVA inside the selftest mock aperture [0x1000000, 0x7fffffff]. */
const SLOT_BYTES = 16 * PAGE;
const SLOT_BASE = 0x100_0000;
const slotIova = (s: number): string => `0x${(SLOT_BASE + s * SLOT_BYTES).toString(16)}`;

type Step = Record<string, unknown>;

/** The generated trace and how many steps of each kind it has. */
function generate(steps: number, seed: number): { doc: object; mix: Record<string, number> } {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const mix: Record<string, number> = {};
  const out: Step[] = [];
  const add = (kind: string, step: Step): void => {
    mix[kind] = (mix[kind] ?? 0) + 1;
    out.push(step);
  };
  // What the generator believes is mapped: per IOAS, slot -> length in pages.
  const mapped: Map<number, number>[] = Array.from({ length: IOAS_COUNT }, () => new Map());
  const devices = ['pci0', 'mock0'];
  const attachedTo = new Map<string, number>();
  const freeSlot = (i: number): number | undefined => {
    const free = [...Array(SLOTS).keys()].filter((s) => !mapped[i]?.has(s));
    return free.length ? pick(free) : undefined;
  };
  const usedSlot = (i: number): number | undefined => {
    const used = [...(mapped[i]?.keys() ?? [])];
    return used.length ? pick(used) : undefined;
  };

  for (let i = 0; i < IOAS_COUNT; i++) add('setup', { op: 'IOMMU_IOAS_ALLOC', as: `ioas${i}` });
  for (const d of devices) add('setup', { op: 'VFIO_DEVICE_BIND_IOMMUFD', device: d, as: `id_${d}` });

  while (out.length < steps) {
    const r = rand();
    const ioas = Math.floor(rand() * IOAS_COUNT);
    const label = `ioas${ioas}`;
    if (r < 0.30) {
      const s = freeSlot(ioas);
      if (s === undefined) continue;
      const pages = 1 + Math.floor(rand() * 4);
      const first = Math.floor(rand() * (BUFFER_PAGES - pages));
      add('map', { op: 'IOMMU_IOAS_MAP', ioas_id: label, flags: ['FIXED_IOVA', 'READABLE', 'WRITEABLE'], user_va: `0x${(BUFFER_VA + first * PAGE).toString(16)}`, length: pages * PAGE, iova: slotIova(s) });
      mapped[ioas]?.set(s, pages);
    } else if (r < 0.45) {
      const s = freeSlot(ioas);
      if (s === undefined) continue;
      const pages = 1 + Math.floor(rand() * 4);
      const start = Math.floor(rand() * (MEMFD_PAGES - pages)) * PAGE;
      add('map_file', { op: 'IOMMU_IOAS_MAP_FILE', ioas_id: label, flags: ['FIXED_IOVA', 'READABLE', 'WRITEABLE'], fd: 'guest', start, length: pages * PAGE, iova: slotIova(s) });
      mapped[ioas]?.set(s, pages);
    } else if (r < 0.70) {
      const s = usedSlot(ioas);
      if (s === undefined) continue;
      add('unmap', { op: 'IOMMU_IOAS_UNMAP', ioas_id: label, iova: slotIova(s), length: SLOT_BYTES });
      mapped[ioas]?.delete(s);
    } else if (r < 0.80) {
      const s = usedSlot(ioas);
      const dst = (ioas + 1 + Math.floor(rand() * (IOAS_COUNT - 1))) % IOAS_COUNT;
      const d = freeSlot(dst);
      if (s === undefined || d === undefined) continue;
      const pages = mapped[ioas]?.get(s) ?? 1;
      add('copy', { op: 'IOMMU_IOAS_COPY', src_ioas_id: label, dst_ioas_id: `ioas${dst}`, flags: ['FIXED_IOVA', 'READABLE', 'WRITEABLE'], src_iova: slotIova(s), dst_iova: slotIova(d), length: pages * PAGE });
      mapped[dst]?.set(d, pages);
    } else if (r < 0.90) {
      const dev = pick(devices);
      if (attachedTo.has(dev) && rand() < 0.4) {
        add('detach', { op: 'VFIO_DEVICE_DETACH_IOMMUFD_PT', device: dev });
        attachedTo.delete(dev);
      } else {
        add(attachedTo.has(dev) ? 'replace' : 'attach', { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: dev, pt_id: label });
        attachedTo.set(dev, ioas);
      }
    } else if (r < 0.91) {
      add('unmap_all', { op: 'IOMMU_IOAS_UNMAP', ioas_id: label, iova: 0, length: '0xffffffffffffffff' });
      mapped[ioas]?.clear();
    } else {
      const kind = rand();
      const used = usedSlot(ioas);
      if (kind < 0.4 && used !== undefined) {
        add('error', { op: 'IOMMU_IOAS_MAP', ioas_id: label, flags: ['FIXED_IOVA', 'READABLE'], user_va: `0x${BUFFER_VA.toString(16)}`, length: PAGE, iova: slotIova(used) });
      } else if (kind < 0.8) {
        const s = freeSlot(ioas);
        if (s === undefined) continue;
        add('error', { op: 'IOMMU_IOAS_UNMAP', ioas_id: label, iova: slotIova(s), length: SLOT_BYTES });
      } else {
        // Busy objects only: an IOAS a device is attached to, or a device VFIO holds while bound.
        const busyIoas = [...attachedTo.values()].map((n) => `ioas${n}`);
        add('error', { op: 'IOMMU_DESTROY', id: pick([...busyIoas, 'id_pci0', 'id_mock0']) });
      }
    }
  }
  const doc = {
    'handover-trace': 1,
    description: `replay benchmark, ${steps} steps, seed ${seed}`,
    config: {
      buffers: [{ name: 'buf', va: `0x${BUFFER_VA.toString(16)}`, pages: BUFFER_PAGES }],
      memfds: [{ name: 'guest', pages: MEMFD_PAGES }],
      devices: [{ name: 'pci0' }, { name: 'mock0', aperture: ['0x1000000', '0x7fffffff'], pgsize: 2048 }],
    },
    steps: out.slice(0, steps),
  };
  return { doc, mix };
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

const rate = (n: number, ms: number): string => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')} steps/s`;
const resultMix = (lines: readonly ReplayStepLine[]): string => {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l.result, (counts.get(l.result) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
};

const [{ doc, mix }, genMs] = time(() => generate(STEPS, SEED));
const text = JSON.stringify(doc);
console.log(`replay benchmark: ${STEPS.toLocaleString('en-US')} generated steps (seed ${SEED}), ${(text.length / 1e6).toFixed(1)} MB of JSON, generated in ${genMs.toFixed(0)} ms`);
console.log(`  step mix: ${Object.entries(mix).map(([k, n]) => `${k} ${n}`).join(', ')}`);

const [loaded, loadMs] = time(() => loadTraceText('generated.trace.json', text));
if (!loaded.ok) {
  console.error(JSON.stringify(loaded.errors.slice(0, 5)));
  process.exit(1);
}
console.log(`  load (JSON.parse, schema, label/number checks): ${loadMs.toFixed(0)} ms, ${rate(STEPS, loadMs)}`);

const runs: [string, boolean][] = [['replay without invariant checks', false], ['replay with invariant checks   ', true]];
let last: TraceReport | undefined;
for (const [name, checkInvariants] of runs) {
  const [report, ms] = time(() => replayTrace(loaded.trace, KERNEL_API, { checkInvariants }));
  last = report;
  console.log(`  ${name}: ${ms.toFixed(0)} ms, ${rate(report.lines.length, ms)} (${report.lines.length} steps ran)`);
}
if (last) {
  console.log(`  results: ${resultMix(last.lines)}`);
  console.log(`  invariant breaks: ${last.summary.violations}${last.summary.violations ? ` (${Object.entries(last.summary.violationsByInvariant).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`);
}

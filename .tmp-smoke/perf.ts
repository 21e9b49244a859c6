import { bootKernel, syscall, type Kernel, type Syscall } from '../src/kernel/index.ts';
import { checkStep } from '../src/invariants/index.ts';
const P = 4096n, BASE = 1n << 24n, BUF = 0x7f0000000000n;
const { kernel, fds } = bootKernel({ pageSize: P, memfds: [{ name: 'g', pages: 64 }], buffers: [{ name: 'buf', va: BUF, pages: 64, holes: [] }], devices: [{ name: 'm0', aperture: [BASE, (1n << 31n) - 1n], pgsize: 2048n }, { name: 'pci' }] });
let k: Kernel = kernel;
const step = (c: Syscall) => { const r = syscall(k, c); const v = checkStep(k, c, r); if (v.length) throw new Error(JSON.stringify(v)); if (r.ok) k = r.kernel; else if ('kernel' in r && r.kernel) k = r.kernel; return r; };
step({ op: 'IOMMU_IOAS_ALLOC', fd: fds.iommufd, arg: { flags: 0 } });
step({ op: 'VFIO_DEVICE_BIND_IOMMUFD', fd: fds.devices.m0!, arg: { flags: 0, iommufd: fds.iommufd } });
step({ op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', fd: fds.devices.m0!, arg: { flags: 0, pt_id: 1, pasid: 0 } });
let seed = 1;
const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const N = Number(process.argv[2] ?? 100000);
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const slot = BigInt(rnd(32)), n = BigInt(1 + rnd(4));
  const c: Syscall = rnd(2) === 0
    ? { op: 'IOMMU_IOAS_MAP', fd: fds.iommufd, arg: { flags: 7, ioas_id: 1, __reserved: 0, user_va: BUF + BigInt(rnd(32)) * P, length: n * P, iova: BASE + slot * P } }
    : { op: 'IOMMU_IOAS_UNMAP', fd: fds.iommufd, arg: { ioas_id: 1, iova: BASE + slot * P, length: n * P } };
  step(c);
}
const dt = performance.now() - t0;
console.log(`${N} steps in ${dt.toFixed(0)} ms: ${(N / dt * 1000).toFixed(0)} steps/s; frames ${k.frames.length}`);
const counts: Record<string, number> = {};
seed = 7;
for (let i = 0; i < 2000; i++) {
  const slot = BigInt(rnd(32)), n = BigInt(1 + rnd(4));
  const c: Syscall = rnd(2) === 0
    ? { op: 'IOMMU_IOAS_MAP', fd: fds.iommufd, arg: { flags: 7, ioas_id: 1, __reserved: 0, user_va: BUF + BigInt(rnd(32)) * P, length: n * P, iova: BASE + slot * P } }
    : { op: 'IOMMU_IOAS_UNMAP', fd: fds.iommufd, arg: { ioas_id: 1, iova: BASE + slot * P, length: n * P } };
  const r = step(c);
  counts[r.rule] = (counts[r.rule] ?? 0) + 1;
}
console.log(counts, k.frames.map((f) => f?.label).join(' '));

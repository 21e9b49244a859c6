/**
 * What the S4 hitless-replace proofs share: the world (a 16-page sealed guest memfd and one PCI device), the
 * injected freeze failure, the DMA a counterexample shows, and the reason each invariant holds when the VMM follows
 * the series' procedure. A proof overrides the reasons that differ in its world.
 */
import type { Environment } from '../../machines/strategy.ts';
import type { KexecFaultStep, TraceConfig } from '../../src/trace/types.ts';
import type { Expected, Proof, ProofInvariant } from '../../src/verify/proof.ts';
import type { CoverageExclusion } from '../../src/coverage/types.ts';
import { RULES } from '../../src/kernel/rules.ts';
import { GUEST_IOVA } from '../../machines/strategies/s4-hitless-replace/vmm.ts';

export const PAGE = 0x1000n;
const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** A 16-page guest memfd and one device (a PCI IOMMU; 4K/2M/1G leaves). */
export const CONFIG: TraceConfig = { memfds: [{ name: 'guest', pages: 16 }], devices: [{ name: 'dev0' }] };

/** A guest of `pages` pages on a break-before-make device: the leaf-size proofs' world. */
export function bbmConfig(pages: number): TraceConfig {
  return { memfds: [{ name: 'guest', pages }], devices: [{ name: 'dev0', break_before_make: true }] };
}

/**
 * The KEXEC may also meet a freeze failure of the iommufd (LUO token 0x2): reboot() fails EINVAL, the old kernel runs
 * on with everything unfrozen (domain.md §D.3, §F I17), and the VMM tries the kexec again.
 */
export const FREEZE_FAILS: KexecFaultStep[][] = [[{ name: 'freeze-fails', token: '0x2' }]];

/** DMA reads of the guest's first and last page (and, for a big guest, one in its 2 MiB-aligned middle). */
export function guestDma(pages: number): Environment['dma'] {
  const iovas = [GUEST_IOVA, ...(pages > 512 ? [GUEST_IOVA + 511n * PAGE] : []), GUEST_IOVA + BigInt(pages - 1) * PAGE];
  return iovas.map((iova) => ({ op: 'DMA', device: 'dev0', iova: hex(iova), access: 'read' }));
}

/** Why each invariant holds when nothing in the world makes it fail (the kernel model's rules, the series' checks). */
export const HOLDS_BECAUSE: Record<ProofInvariant, string> = {
  'domain-matches-areas': 'every domain is filled from its IOAS areas by iopt_table_add_domain/iopt_map_pages (domain.md §F I1); a restored HWPT has no IOAS and is not judged',
  'iova-disjoint-aligned': 'every map is at a fixed, page-aligned IOVA the IOAS accepts (iopt_check_iova, §F I5)',
  'pin-accounting': 'pins follow the domains that reference each page (pages.c, §F I2-I3)',
  'refcount-destroy': 'no step destroys an object that another depends on without EBUSY (§F I4)',
  'failure-atomic': 'every failed call leaves the kernel unchanged (§F I6)',
  'blackout-immutable': 'the IOAS is immutable from the iommufd preserve until the kexec (SK-v1 11/14 lu_map_immutable), and the restored domain is only read until it is replaced (§F I7)',
  'preserved-reachable': 'the guest is sealed and preserved in the same session as the iommufd, so every table and target frame is KHO-preserved (SK-v1 11/14, memfd_luo; §F I8)',
  'no-reuse': 'both kernels speak the same KHO ABI, so every preserved frame is reserved before the new kernel allocates (kho_populate; §F I9)',
  'dma-never-faults': 'the device stays on the restored domain across the kexec and is replaced onto a rebuilt domain that translates the same (§F I10, I12)',
  'no-foreign-dma': 'the device reaches only guest frames: the tables are preserved and restored, and the rebuilt domain maps the retrieved memfd (§F I8-I10)',
  'reconstruction-equivalent': 'the documented procedure maps the retrieved memfd at the same IOVA, offset and prot, and memfd_luo restores each page at its index (§D.4, §F I11)',
  'finish-gated': 'FINISH is refused (EBUSY) until the iommufd is retrieved, the HWPT reclaimed and no device is on a restored domain (SK-TREE can_finish; §F I13)',
  'fail-stop': 'the new kernel accepts KHO and the IOMMU handler, so the device comes back on its restored domain (§E, §F I18)',
  'no-deadlock': 'every path ends in a final phase (finished, or the VMM gives up / runs out of moves only in a final phase)',
};

/** Every invariant HOLDS for the reasons above, except `over`. */
export function expectations(over: Partial<Proof['expect']> = {}): Proof['expect'] {
  const out: Partial<Record<ProofInvariant, Expected<'HOLDS' | 'VIOLATED'>>> = {};
  for (const [name, why] of Object.entries(HOLDS_BECAUSE) as [ProofInvariant, string][]) {
    out[name] = over[name] ?? { verdict: 'HOLDS', why };
  }
  return out;
}

/** Both faults the KEXEC may meet in a larger world: the freeze failure, and a table page the new kernel cannot restore. */
export const BOTH_FAULTS: KexecFaultStep[][] = [...FREEZE_FAILS, [{ name: 'restore-table-page-fails' }]];

/**
 * The larger world of `handover verify --larger`: a 64-page guest, both faults, and (adversarial userspace) three
 * more deviations than the default proof.
 */
export function larger(env: Environment): { environment: Partial<Environment>; why: string } {
  const u = env.userspace;
  return {
    environment: {
      config: { ...env.config, memfds: [{ name: 'guest', pages: 64 }] },
      faults: BOTH_FAULTS,
      dma: guestDma(64),
      ...(u.kind === 'adversarial' ? { userspace: { ...u, deviations: u.deviations + 3 } } : {}),
    },
    why: 'the same obligation in a bigger world: a 64-page guest, a restore failure besides the freeze failure' + (u.kind === 'adversarial' ? ', three more deviations' : ''),
  };
}

/**
 * Calls no S4 VMM makes: not the procedure (machines/strategies/s4-hitless-replace/vmm.ts), not what an adversarial
 * VMM may do instead or besides, in the proofs' worlds and their larger ones, nor the wider VMM of the random runs
 * (src/random/s4Wide.ts). The guest is mapped with IOMMU_IOAS_MAP_FILE, never IOMMU_IOAS_MAP; the VMM keeps the
 * default allowed IOVA ranges and reserves none. test/coverage/exclusions.test.ts checks the list against every
 * shipped S4 proof's VMM and the random worlds' VMM.
 */
export const S4_UNISSUED_OPS = ['IOMMU_IOAS_MAP', 'IOMMU_IOAS_IOVA_RANGES', 'IOMMU_IOAS_ALLOW_IOVAS', 'IOMMU_TEST_OP_ADD_RESERVED'] as const;

/**
 * `handover coverage`: the kernel rules of calls no S4 VMM makes (every op a rule applies to is in S4_UNISSUED_OPS),
 * excluded with "the S4 VMM does not issue <op>". Rules shared with calls the VMM does make are not excluded.
 */
export const S4_COVERAGE: NonNullable<Proof['coverage']> = {
  exclude: RULES.filter((r) => r.op.split(', ').every((op) => (S4_UNISSUED_OPS as readonly string[]).includes(op))).map(
    (r): CoverageExclusion => ({ kind: 'rules', id: r.id, reason: `the S4 VMM does not issue ${r.op.split(', ').join(' or ')}` }),
  ),
};

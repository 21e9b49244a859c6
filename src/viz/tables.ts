/**
 * What the trace stepper shows of a kernel state, computed on the server:
 *
 * - the page tables side by side (`pageTables`): the translations each preserved device had at preserve time
 *   (Kernel.history), every domain the IOMMU restored, each IOAS's areas, each HWPT's domain and what each device's
 *   hardware walks, one row per IOVA range (IOVA, frame, prot, leaf size). The IOVA space is cut wherever some column
 *   starts, ends or stops continuing (merged runs: two layouts of one mapping are one row), and each cell that does
 *   not translate as the reference column (the preserved translations, or without a live update the first IOAS) is
 *   marked, with the row;
 * - the kernel's objects as a tree (`objectTree`: iommufd contexts and their IOAS/HWPT/DEVICE objects, domains,
 *   the hardware, LUO sessions, the live-update history), and the nested difference of two trees (`diffTrees`).
 */
import {
  domainTranslations, frameName, hwLeaves, iommufdContexts, mappedTranslations, mergeRuns, mergeTranslations,
  IOMMU_CACHE, IOMMU_READ, IOMMU_WRITE, type Kernel,
} from '../kernel/index.ts';

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** `rw`, `r-`, with `c` for IOMMU_CACHE. */
export function protText(prot: number): string {
  return `${prot & IOMMU_READ ? 'r' : '-'}${prot & IOMMU_WRITE ? 'w' : '-'}${prot & IOMMU_CACHE ? 'c' : ''}`;
}

/** 4K, 2M, 1G, or hex bytes. */
export function sizeText(size: bigint): string {
  const units: [bigint, string][] = [[1n << 30n, 'G'], [1n << 20n, 'M'], [1n << 10n, 'K']];
  for (const [u, s] of units) if (size >= u && size % u === 0n) return `${size / u}${s}`;
  return hex(size);
}

interface Run {
  iova: bigint;
  size: bigint;
  phys: bigint | null;
  prot: number;
}

/** A column: one translation table. */
export interface TableColumn {
  id: string;
  title: string;
  kind: 'preserved' | 'restored' | 'ioas' | 'hwpt' | 'hardware';
  runs: Run[];
  /** Leaves (tables only), for leaf sizes. */
  leaves?: { iova: bigint; size: bigint }[];
}

/** One cell: a column's translation over a row's range. */
export interface TableCell {
  frame: string;
  phys: string | null;
  prot: string;
  leaf: string;
  /** Not as the reference column translates it. */
  differs: boolean;
}

export interface TableRow {
  iova: string;
  size: string;
  pages: number;
  cells: (TableCell | null)[];
  /** Some cell differs from the reference. */
  diff: boolean;
}

export interface PageTables {
  columns: { id: string; title: string; kind: TableColumn['kind']; reference: boolean }[];
  rows: TableRow[];
}

/** Every translation table of a kernel state. */
export function tableColumns(k: Kernel): TableColumn[] {
  const cols: TableColumn[] = [];
  for (const d of k.history.devices) {
    cols.push({ id: `preserved:${d.device}`, title: `preserved ${d.device} (at preserve time)`, kind: 'preserved', runs: d.translations.map((r) => ({ ...r })) });
  }
  const ctxs = iommufdContexts(k);
  const hwptOf = new Map<number, string>();
  for (const { file, ctx } of ctxs) {
    for (const o of ctx.objects) if (o.type === 'HWPT_PAGING') hwptOf.set(o.domain, `HWPT ${o.id} (iommufd ${file})`);
  }
  for (const d of k.domains) {
    if (!d.restored || d.type !== 'paging') continue;
    const leaves = domainTranslations(k, d.id);
    const wrapped = hwptOf.get(d.id);
    cols.push({ id: `restored:${d.id}`, title: `restored domain ${d.id}${wrapped ? `, ${wrapped}` : ''}`, kind: 'restored', runs: mergeRuns(leaves), leaves });
  }
  for (const { file, ctx } of ctxs) {
    for (const o of ctx.objects) {
      if (o.type === 'IOAS') {
        cols.push({ id: `ioas:${file}:${o.id}`, title: `IOAS ${o.id} areas (iommufd ${file})`, kind: 'ioas', runs: mergeTranslations(mappedTranslations(k, ctx, o)) });
      }
    }
    for (const o of ctx.objects) {
      if (o.type !== 'HWPT_PAGING') continue;
      const dom = k.domains.find((d) => d.id === o.domain);
      if (!dom || dom.restored) continue;
      const leaves = domainTranslations(k, o.domain);
      cols.push({ id: `hwpt:${file}:${o.id}`, title: `HWPT ${o.id} domain ${o.domain} (iommufd ${file}${o.ioas !== null ? `, IOAS ${o.ioas}` : ''})`, kind: 'hwpt', runs: mergeRuns(leaves), leaves });
    }
  }
  for (const h of k.hw) {
    const on = typeof h.domain === 'number' ? `domain ${h.domain}` : h.domain;
    if (h.pt === null) {
      cols.push({ id: `hw:${h.device}`, title: `hardware ${h.device} (${on}): no translation`, kind: 'hardware', runs: [] });
      continue;
    }
    const w = hwLeaves(k.frames, h.pt);
    cols.push({ id: `hw:${h.device}`, title: `hardware ${h.device} walks (${on})`, kind: 'hardware', runs: mergeRuns(w.leaves), leaves: w.leaves });
  }
  return cols;
}

/** The page tables of a kernel state side by side (see the file header). */
export function pageTables(k: Kernel): PageTables {
  const cols = tableColumns(k);
  const refIndex = Math.max(0, cols.findIndex((c) => c.kind === 'preserved') >= 0 ? cols.findIndex((c) => c.kind === 'preserved') : cols.findIndex((c) => c.kind === 'ioas'));
  const cuts = new Set<bigint>();
  for (const c of cols) for (const r of c.runs) {
    cuts.add(r.iova);
    cuts.add(r.iova + r.size);
  }
  const points = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const page = k.pageSize;
  const at = (c: TableColumn, a: bigint): Run | undefined => c.runs.find((r) => r.iova <= a && a < r.iova + r.size);
  const rows: TableRow[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const hits = cols.map((c) => at(c, a));
    if (hits.every((h) => h === undefined)) continue;
    const physAt = (r: Run | undefined): bigint | null | undefined => (r === undefined ? undefined : r.phys === null ? null : r.phys + (a - r.iova));
    const ref = cols.length ? physAt(hits[refIndex]) : undefined;
    const refProt = hits[refIndex]?.prot;
    const cells = cols.map((c, ci): TableCell | null => {
      const r = hits[ci];
      if (r === undefined) {
        return ci !== refIndex && ref !== undefined ? { frame: 'nothing', phys: null, prot: '', leaf: '', differs: true } : null;
      }
      const phys = physAt(r)!;
      const frame = phys === null
        ? 'unpinned'
        : (() => {
          const first = frameName(k.frames, Number(phys / page));
          const last = frameName(k.frames, Number((phys + (b - a) - 1n) / page));
          return first === last ? first : `${first}..${last}`;
        })();
      const leaves = c.leaves ? [...new Set(c.leaves.filter((l) => l.iova < b && a < l.iova + l.size).map((l) => l.size))].sort((x, y) => (x < y ? -1 : 1)).map(sizeText).join(', ') : '';
      const differs = ci !== refIndex && (ref === undefined || ref !== phys || refProt !== r.prot);
      return { frame, phys: phys === null ? null : hex(phys), prot: protText(r.prot), leaf: leaves, differs };
    });
    rows.push({ iova: hex(a), size: hex(b - a), pages: Number((b - a) / page), cells, diff: cells.some((c) => c?.differs) });
  }
  return { columns: cols.map((c, i) => ({ id: c.id, title: c.title, kind: c.kind, reference: i === refIndex })), rows };
}

/** A node of the object tree. */
export interface ObjNode {
  key: string;
  label: string;
  fields: Record<string, string>;
  /** Translations, for tables: `iova +size -> frame prot`. */
  rows?: string[];
  children: ObjNode[];
}

function runRows(k: Kernel, runs: readonly Run[]): string[] {
  return runs.map((r) => {
    const pages = r.size / k.pageSize;
    const to = r.phys === null ? 'unpinned' : pages > 1n
      ? `${frameName(k.frames, Number(r.phys / k.pageSize))}..${frameName(k.frames, Number((r.phys + r.size - 1n) / k.pageSize))}`
      : frameName(k.frames, Number(r.phys / k.pageSize));
    return `${hex(r.iova)} +${sizeText(r.size)} -> ${to} ${protText(r.prot)}`;
  });
}

/** The kernel's objects as a tree (keys are stable across steps for the same object). */
export function objectTree(k: Kernel): ObjNode[] {
  const out: ObjNode[] = [];
  for (const { file, ctx } of iommufdContexts(k)) {
    const children: ObjNode[] = ctx.objects.map((o): ObjNode => {
      const key = `iommufd:${file}/${o.type}:${o.id}`;
      switch (o.type) {
        case 'IOAS':
          return {
            key, label: `IOAS ${o.id}`, children: [],
            fields: { areas: String(o.areas.length), immutable: String(o.luImmutable), hwpts: o.hwpts.join(',') || '-', 'huge pages': o.disableLargePages ? 'off' : 'on' },
            rows: runRows(k, mergeTranslations(mappedTranslations(k, ctx, o))),
          };
        case 'HWPT_PAGING':
          return {
            key, label: `HWPT ${o.id}${o.luRestored ? ' (restored)' : ''}`, children: [],
            fields: { ioas: o.ioas === null ? '-' : String(o.ioas), domain: String(o.domain), 'lu token': o.luToken === null ? '-' : hex(o.luToken) },
            rows: k.domains.some((d) => d.id === o.domain) ? runRows(k, mergeRuns(domainTranslations(k, o.domain))) : [],
          };
        case 'HWPT_NESTED':
          return { key, label: `HWPT_NESTED ${o.id}`, children: [], fields: { parent: String(o.parent), domain: String(o.domain) } };
        case 'DEVICE':
          return { key, label: `DEVICE ${o.id} (${o.device})`, children: [], fields: { hwpt: o.hwpt === null ? '-' : String(o.hwpt) } };
      }
      return { key, label: `object ${(o as { id: number }).id}`, children: [], fields: {} };
    });
    out.push({ key: `iommufd:${file}`, label: `iommufd ${file}`, fields: { objects: String(ctx.objects.length) }, children });
  }
  out.push({
    key: 'domains', label: 'iommu domains', fields: { count: String(k.domains.length) },
    children: k.domains.map((d) => ({
      key: `domain:${d.id}`, label: `domain ${d.id}${d.restored ? ' (restored)' : ''}`, children: [],
      fields: { type: d.type, top: d.top === null ? '-' : frameName(k.frames, d.top), levels: d.levels.join(',') },
      ...(d.type === 'paging' ? { rows: runRows(k, mergeRuns(domainTranslations(k, d.id))) } : {}),
    })),
  });
  out.push({
    key: 'hw', label: 'hardware (IOMMU context entries)', fields: {},
    children: k.hw.map((h) => ({
      key: `hw:${h.device}`, label: `device ${h.device}`, children: [],
      fields: { domain: String(h.domain), 'lu claimed': String(h.luClaimed), 'dma owner': h.dmaOwner === null ? '-' : String(h.dmaOwner), top: h.pt === null ? '-' : frameName(k.frames, h.pt.top) },
      rows: h.pt === null ? [] : runRows(k, mergeRuns(hwLeaves(k.frames, h.pt).leaves)),
    })),
  });
  const sessions = (dir: 'outgoing' | 'incoming') => k.lu[dir].map((s) => ({
    key: `luo:${dir}:${s.name}`, label: `${dir} session "${s.name}"`, fields: { file: s.file === null ? '-' : String(s.file), retrieved: String(s.retrieved) },
    children: s.files.map((f) => ({
      key: `luo:${dir}:${s.name}/${hex(f.token)}`, label: `token ${hex(f.token)} (${f.data.handler})`, children: [],
      fields: { file: f.file === null ? '-' : String(f.file), retrieved: String(f.retrieved) },
    })),
  }));
  out.push({ key: 'luo', label: 'LUO', fields: { device: k.lu.device === null ? '-' : String(k.lu.device), broken: String(k.lu.broken), 'live updates': String(k.lu.number) }, children: [...sessions('outgoing'), ...sessions('incoming')] });
  out.push({
    key: 'history', label: 'live-update history (preserved translations)', fields: {},
    children: [
      ...k.history.devices.map((d) => ({ key: `history:dev:${d.device}`, label: `preserved device ${d.device} (session "${d.session}")`, fields: {}, rows: runRows(k, d.translations), children: [] })),
      ...k.history.domains.map((d) => ({
        key: `history:dom:${d.session}:${hex(d.hwptToken)}`, label: `preserved domain, token ${hex(d.hwptToken)}`,
        fields: { 'held by domain': d.domain === null ? '-' : String(d.domain) }, rows: runRows(k, d.translations), children: [],
      })),
    ],
  });
  out.push({
    key: 'files', label: 'open files', fields: { count: String(k.files.length) },
    children: k.files.map((f): ObjNode => ({
      key: `file:${f.id}`, label: `fd ${f.id}: ${f.kind}${f.kind === 'memfd' ? ` "${f.name}"` : f.kind === 'vfio' ? ` ${f.device}` : ''}`, children: [],
      fields: (f.kind === 'memfd'
        ? { size: hex(f.size), seals: hex(BigInt(f.seals)), frozen: String(f.frozen) }
        : f.kind === 'vfio' ? { bound: f.bound === null ? '-' : `iommufd ${f.bound.iommufd}, devid ${f.bound.devid}` } : {}) as Record<string, string>,
    })),
  });
  out.push({ key: 'kernel', label: `kernel ${k.profile}`, fields: { frames: String(k.frames.filter((f) => f !== null).length), files: String(k.files.length) }, children: [] });
  return out;
}

/** A tree node with its difference from the previous step. */
export interface DiffNode extends ObjNode {
  status: 'added' | 'removed' | 'changed' | 'same';
  /** Fields whose value changed: the previous value. */
  was: Record<string, string>;
  rowDiff?: { added: string[]; removed: string[] };
  children: DiffNode[];
}

/** The nested difference of `now` from `before` (undefined: the first state, everything is as is). */
export function diffTrees(now: readonly ObjNode[], before: readonly ObjNode[] | undefined): DiffNode[] {
  const prevByKey = new Map((before ?? []).map((n) => [n.key, n]));
  const nowKeys = new Set(now.map((n) => n.key));
  const out: DiffNode[] = now.map((n) => diffNode(n, before === undefined ? n : prevByKey.get(n.key)));
  for (const p of before ?? []) if (!nowKeys.has(p.key)) out.push(mark(p, 'removed'));
  return out;
}

function mark(n: ObjNode, status: 'added' | 'removed'): DiffNode {
  return { ...n, status, was: {}, children: n.children.map((c) => mark(c, status)) };
}

function diffNode(n: ObjNode, p: ObjNode | undefined): DiffNode {
  if (p === undefined) return mark(n, 'added');
  const was: Record<string, string> = {};
  for (const [f, v] of Object.entries(n.fields)) if (p.fields[f] !== v) was[f] = p.fields[f] ?? '';
  const children = diffTrees(n.children, p.children);
  const rowsNow = n.rows ?? [];
  const rowsBefore = new Set(p.rows ?? []);
  const nowSet = new Set(rowsNow);
  const added = rowsNow.filter((r) => !rowsBefore.has(r));
  const removed = (p.rows ?? []).filter((r) => !nowSet.has(r));
  const changed = Object.keys(was).length > 0 || added.length > 0 || removed.length > 0 || children.some((c) => c.status !== 'same');
  return { ...n, status: changed ? 'changed' : 'same', was, ...(added.length || removed.length ? { rowDiff: { added, removed } } : {}), children };
}

/** A short line of what changed (the innermost changed nodes), e.g. `+IOAS 2, ~hardware dev0`. */
export function changeSummary(d: readonly DiffNode[]): string {
  const parts: string[] = [];
  const visit = (n: DiffNode): void => {
    if (n.status === 'same') return;
    if (n.status === 'added' || n.status === 'removed') {
      parts.push(`${n.status === 'added' ? '+' : '−'}${n.label}`);
      return;
    }
    const inner = n.children.filter((c) => c.status !== 'same');
    if (inner.length === 0 || Object.keys(n.was).length > 0 || n.rowDiff) parts.push(`~${n.label}`);
    for (const c of inner) visit(c);
  };
  for (const n of d) visit(n);
  return parts.join(', ');
}

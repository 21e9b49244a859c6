// handover viz: the page. Plain ES module, no dependency, no build step: it renders SVG and tables from the JSON the
// server computed (layouts, coverage, per-step diffs). The view, the trace, the step, the selection and the filters
// live in the URL's hash, so that reloading or sharing the URL restores the view.

const STATUSES = ['covered', 'unreachable', 'uncovered', 'excluded'];
const ROW_H = 26;
const main = document.getElementById('main');
const statusEl = document.getElementById('status');

let overview = null;
const chartCache = new Map();
const traceCache = new Map();
const stepCache = new Map();
let mounted = null; // { key, update(params) }

// ---------------------------------------------------------------------------------------------------------------
// helpers

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVGNS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

async function api(path) {
  const r = await fetch(path);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ?? `${r.status}`);
  return body;
}

function params() {
  return new URLSearchParams(location.hash.slice(1));
}

/** Changes the URL's hash (pushing a history entry unless `replace`) and renders. */
function go(patch, replace = false) {
  const p = params();
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined || v === '') p.delete(k);
    else p.set(k, String(v));
  }
  const hash = `#${p.toString()}`;
  if (hash === location.hash) return;
  if (replace) history.replaceState(null, '', hash);
  else history.pushState(null, '', hash);
  render();
}

function hrefOf(patch) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(patch)) if (v !== null && v !== undefined && v !== '') p.set(k, String(v));
  return `#${p.toString()}`;
}

function pill(status, text) {
  return h('span', { class: `pill s-${status}`, 'data-status': status }, text ?? status);
}

function witnessLink(cov) {
  if (!cov?.witness) return null;
  const w = cov.witness;
  if (!w.trace) return h('span', { class: 'muted' }, ` witness: ${w.events === 0 ? 'the initial state' : `${w.events} events`} (${w.source})`);
  return h('a', { class: 'witness', href: hrefOf({ view: 'trace', trace: w.trace, step: w.step ?? 0 }) }, ` witness: ${w.trace}${w.step !== null ? ` step ${w.step}` : ''}`);
}

/** A group's status: covered if any member is, else unreachable, else uncovered, else excluded. */
function aggregate(statuses) {
  for (const st of STATUSES) if (statuses.includes(st)) return st;
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// statechart

async function chartData(machine, collapsed) {
  const key = `${machine}|${collapsed.join(',')}`;
  if (!chartCache.has(key)) chartCache.set(key, api(`/api/chart?machine=${encodeURIComponent(machine)}&collapsed=${encodeURIComponent(collapsed.join(','))}`));
  return chartCache.get(key);
}

/**
 * Draws a laid-out chart. Returns { svg, highlight({states, transitions}), select(id) }.
 * opts: { coverage, selected, onSelect(id), onToggle(nodeId), zoom }
 */
function drawChart(data, opts) {
  const { chart, layout, coverage } = data;
  const byId = new Map(chart.nodes.map((n) => [n.id, n]));
  const depth = (id) => { let d = 0; for (let n = byId.get(id); n && n.parent; n = byId.get(n.parent)) d++; return d; };
  const zoom = opts.zoom ?? 1;
  const size = opts.fitWidth ? { style: 'width:100%;height:auto' } : { width: Math.ceil(layout.width * zoom), height: Math.ceil(layout.height * zoom) };
  const svg = s('svg', { class: `chart${opts.coverage ? ' coverage' : ''}`, ...size, viewBox: `0 0 ${layout.width} ${layout.height}`, 'data-machine': chart.machine });
  svg.append(s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#59636e' }))));
  const nodeEls = new Map();
  const edgeEls = [];
  const loopEls = new Map();
  const statusOfTransitions = (idxs) => aggregate(idxs.map((i) => coverage.transitions[chart.transitions[i].id]?.status).filter(Boolean));
  const containers = layout.nodes.filter((n) => n.container).sort((a, b) => depth(a.id) - depth(b.id));
  const leaves = layout.nodes.filter((n) => !n.container);
  const layerC = s('g', {});
  const layerE = s('g', {});
  const layerN = s('g', {});
  svg.append(layerC, layerE, layerN);
  const nodeG = (ln) => {
    const n = byId.get(ln.id);
    const parent = n.parent ? byId.get(n.parent) : null;
    const cls = ['node', ln.container ? 'container' : n.kind === 'final' ? 'final' : 'atomic', n.kind === 'parallel' && ln.container ? 'parallel' : '', parent?.kind === 'parallel' ? 'region' : '', ln.collapsed ? 'collapsed' : ''].filter(Boolean).join(' ');
    const cov = coverage.states[n.id];
    const g = s('g', { class: cls, 'data-id': n.id, 'data-status': cov?.status });
    g.append(s('rect', { class: 'box', x: ln.x, y: ln.y, width: ln.width, height: ln.height, rx: ln.container ? 8 : 12 }));
    if (n.kind === 'final' && !ln.container) g.append(s('rect', { class: 'inner', x: ln.x + 3, y: ln.y + 3, width: ln.width - 6, height: ln.height - 6, rx: 9 }));
    const label = n.parent === null ? n.id : n.key;
    if (ln.container) g.append(s('text', { x: ln.x + 10, y: ln.y + 14 }, `${label}${n.kind === 'parallel' ? '  (parallel)' : ''}`));
    else g.append(s('text', { x: ln.x + ln.width / 2, y: ln.y + (ln.loops.length ? 15 : ln.height / 2), 'text-anchor': 'middle' }, label + (ln.collapsed ? ' ⊕' : '')));
    const collapsible = n.parent !== null && n.children.length > 0;
    if (collapsible && opts.onToggle) {
      const tx = ln.x + ln.width - 18;
      const ty = ln.y + 4;
      g.append(s('g', { class: 'toggle', 'data-toggle': n.id, onclick: (ev) => { ev.stopPropagation(); opts.onToggle(n.id); } },
        s('rect', { x: tx, y: ty, width: 13, height: 13, rx: 2 }),
        s('text', { x: tx + 6.5, y: ty + 7, 'text-anchor': 'middle' }, ln.collapsed ? '+' : '−')));
    }
    g.addEventListener('click', (ev) => { ev.stopPropagation(); opts.onSelect?.(`n:${n.id}`); });
    g.append(s('title', {}, `${n.id} (${n.kind})${cov ? `: ${cov.status}` : ''}`));
    nodeEls.set(n.id, g);
    if (ln.loops.length) {
      const st = statusOfTransitions(ln.loops);
      const ids = ln.loops.map((i) => chart.transitions[i].id);
      const lw = Math.min(ln.width - 12, 78);
      const lx = ln.x + (ln.width - lw) / 2;
      const ly = ln.y + ln.height - 19;
      const lg = s('g', { class: 'loop', 'data-node': n.id, 'data-status': st, 'data-ids': JSON.stringify(ids), onclick: (ev) => { ev.stopPropagation(); opts.onSelect?.(`l:${n.id}`); } },
        s('rect', { x: lx, y: ly, width: lw, height: 15, rx: 7 }),
        s('text', { x: lx + lw / 2, y: ly + 8, 'text-anchor': 'middle' }, `↻ ${ln.loops.length} stay`),
        s('title', {}, `${ln.loops.length} transitions that stay in ${n.key}`));
      g.append(lg);
      loopEls.set(n.id, { el: lg, members: ln.loops });
    }
    return g;
  };
  for (const ln of containers) layerC.append(nodeG(ln));
  for (const ln of leaves) layerN.append(nodeG(ln));
  for (const ini of layout.initials) {
    const d = ini.points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ');
    layerE.append(s('g', { class: 'initial' }, s('circle', { cx: ini.x, cy: ini.y, r: 4.5 }), s('path', { d, 'marker-end': 'url(#arrow)' })));
  }
  for (const e of layout.edges) {
    const ids = e.transitions.map((i) => chart.transitions[i].id);
    const st = statusOfTransitions(e.transitions);
    const covered = e.transitions.filter((i) => coverage.transitions[chart.transitions[i].id]?.status === 'covered').length;
    const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ');
    const g = s('g', { class: 'edge', 'data-id': e.id, 'data-source': e.source, 'data-targets': e.targets.join(','), 'data-status': st, 'data-ids': JSON.stringify(ids), onclick: (ev) => { ev.stopPropagation(); opts.onSelect?.(`e:${e.id}`); } },
      s('path', { class: 'line', d, 'marker-end': 'url(#arrow)' }), s('path', { class: 'hit', d }));
    if (e.labelBox) {
      const text = opts.coverage ? `${e.label} (${covered}/${e.transitions.length})` : e.label;
      const w = Math.max(e.labelBox.width, text.length * 6.3);
      g.append(s('rect', { class: 'lbl', x: e.labelBox.x - 1, y: e.labelBox.y - 1, width: w + 2, height: e.labelBox.height + 2 }),
        s('text', { x: e.labelBox.x + 1, y: e.labelBox.y + e.labelBox.height / 2 }, text));
    }
    g.append(s('title', {}, `${e.transitions.length} transitions: ${e.source} -> ${e.targets.join(', ')}`));
    layerE.append(g);
    edgeEls.push({ el: g, e });
  }
  const api = {
    svg,
    highlight(active) {
      const on = new Set(active?.states ?? []);
      const taken = new Set(active?.transitions ?? []);
      // A state inside a collapsed one shows on the collapsed one.
      for (const id of [...on]) {
        for (let n = byId.get(id); n && n.parent; n = byId.get(n.parent)) if (layout.collapsed.includes(n.parent)) on.add(n.parent);
      }
      for (const [id, el] of nodeEls) el.classList.toggle('active', on.has(id));
      for (const { el, e } of edgeEls) el.classList.toggle('taken', e.transitions.some((i) => taken.has(i)));
      for (const { el, members } of loopEls.values()) el.classList.toggle('taken', members.some((i) => taken.has(i)));
    },
    select(sel) {
      svg.querySelectorAll('.selected').forEach((x) => x.classList.remove('selected'));
      if (!sel) return;
      const [kind, id] = [sel.slice(0, 1), sel.slice(2)];
      if (kind === 'n') nodeEls.get(id)?.classList.add('selected');
      if (kind === 'e') edgeEls.find((x) => x.e.id === id)?.el.classList.add('selected');
      if (kind === 'l') loopEls.get(id)?.el.classList.add('selected');
    },
  };
  svg.addEventListener('click', () => opts.onSelect?.(null));
  api.select(opts.selected);
  return api;
}

/** The side pane for a selection: guards, actions, kernel rules, coverage. */
function sidePane(data, sel) {
  const { chart, layout, coverage, rules } = data;
  const box = h('div', { class: 'side' });
  if (!sel) {
    box.append(h('p', { class: 'muted' }, 'Select a state, an edge or a ↻ badge: its transitions, guards, actions, the kernel-model rules they drive, and their coverage.'));
    box.append(h('p', { class: 'muted' }, 'Edges group the transition definitions between the same states (one per event and outcome); ↻ badges group those that stay in the state. − / + collapse and expand a compound state.'));
    return box;
  }
  const kind = sel.slice(0, 1);
  const id = sel.slice(2);
  let members = [];
  if (kind === 'n') {
    const n = chart.nodes.find((x) => x.id === id);
    if (!n) return box;
    const cov = coverage.states[id];
    box.append(h('h3', {}, id), h('div', {}, `${n.kind} state`, n.initial ? ' (initial)' : ''));
    if (cov) box.append(h('div', {}, 'coverage: ', pill(cov.status), cov.hits !== undefined ? ` ${cov.hits} hits` : '', witnessLink(cov)), ...(cov.reason ? [h('div', { class: 'note' }, cov.reason)] : []));
    const out = layout.edges.filter((e) => e.source === id);
    if (out.length) box.append(h('h4', {}, 'edges from here'), h('ul', {}, out.map((e) => h('li', {}, h('a', { href: '#', onclick: (ev) => { ev.preventDefault(); go({ sel: `e:${e.id}` }, true); } }, `${e.label} → ${e.targets.map((t) => t.split('.').pop()).join(', ')}`)))));
    const ln = layout.nodes.find((x) => x.id === id);
    if (ln?.loops.length) box.append(h('div', {}, h('a', { href: '#', onclick: (ev) => { ev.preventDefault(); go({ sel: `l:${id}` }, true); } }, `↻ ${ln.loops.length} transitions that stay here`)));
    return box;
  }
  if (kind === 'e') {
    const e = layout.edges.find((x) => x.id === id);
    if (!e) return box;
    members = e.transitions;
    box.append(h('h3', {}, `${e.source.split('.').pop()} → ${e.targets.map((t) => t.split('.').pop()).join(', ')}`), h('div', { class: 'muted' }, `${members.length} transition definitions: ${e.label}`));
  } else if (kind === 'l') {
    const ln = layout.nodes.find((x) => x.id === id);
    if (!ln) return box;
    members = ln.loops;
    box.append(h('h3', {}, `↻ ${id.split('.').pop()}`), h('div', { class: 'muted' }, `${members.length} transition definitions that stay in the state`));
  }
  const ts = members.map((i) => chart.transitions[i]);
  const counts = Object.fromEntries(STATUSES.map((st) => [st, ts.filter((t) => coverage.transitions[t.id]?.status === st).length]));
  box.append(h('div', { class: 'legend' }, STATUSES.filter((st) => counts[st]).map((st) => h('span', { class: `s-${st}` }, `${counts[st]} ${st}`))));
  for (const t of ts) {
    const cov = coverage.transitions[t.id];
    const gT = coverage.guards[`${t.id} : true`];
    const gF = coverage.guards[`${t.id} : false`];
    box.append(h('div', { class: 'tr', 'data-transition': t.id },
      h('div', {}, h('b', {}, t.event ?? 'always'), t.guard ? ` [${t.guard}]` : '', ' → ', t.targets.length ? t.targets.map((x) => x.split('.').pop()).join(', ') : '(no target)'),
      h('div', { class: 'muted' }, 'actions: ', t.actions.length ? t.actions.join(', ') : 'none'),
      cov ? h('div', {}, pill(cov.status), cov.hits !== undefined ? ` ${cov.hits} hits` : '', witnessLink(cov)) : null,
      gT || gF ? h('div', { class: 'muted' }, 'guard taken: ', gT ? pill(gT.status, `true: ${gT.status}`) : '', ' ', gF ? pill(gF.status, `false: ${gF.status}`) : '') : null,
      cov?.reason ? h('div', { class: 'note' }, cov.reason) : null));
  }
  const events = [...new Set(ts.map((t) => t.event).filter(Boolean))];
  if (events.length) {
    box.append(h('h4', {}, 'kernel-model rules these events drive'));
    box.append(h('div', { class: 'note' }, 'Each op\'s outcomes in src/kernel/rules.ts (RULES, by their op field), with their coverage over every source.'));
    for (const ev of events) {
      const ids = chart.rulesByEvent[ev] ?? [];
      const det = h('details', { open: events.length === 1 ? true : null }, h('summary', {}, `${ev}: ${ids.length} rules, ${ids.filter((r) => rules[r]?.status === 'covered').length} covered`));
      det.append(h('ul', {}, ids.map((r) => h('li', { 'data-rule': r }, rules[r] ? pill(rules[r].status, '') : '', ' ', h('code', {}, r), ` → ${rules[r]?.result ?? ''}`, witnessLink(rules[r])))));
      box.append(det);
    }
  }
  return box;
}

function zoomOf(p) {
  const z = Number(p.get('zoom'));
  return Number.isFinite(z) && z > 0 ? z : null;
}

async function chartView(p, withCoverage) {
  const machines = overview.machines;
  const machine = p.get('machine') ?? machines[0]?.id;
  if (!machine) return { el: h('p', {}, 'No statechart: no proof was loaded.') };
  const collapsed = (p.get('collapsed') ?? '').split(',').filter(Boolean);
  const data = await chartData(machine, collapsed);
  const m = machines.find((x) => x.id === machine);
  const box = h('div', { class: 'chartbox' });
  const fit = Math.max(0.35, Math.min(1, (window.innerWidth - 420) / data.layout.width));
  const zoom = zoomOf(p) ?? fit;
  const drawn = drawChart(data, {
    coverage: withCoverage,
    selected: p.get('sel'),
    zoom,
    onSelect: (sel) => go({ sel }, true),
    onToggle: (id) => {
      const set = new Set(collapsed);
      if (set.has(id)) set.delete(id); else set.add(id);
      go({ collapsed: [...set].join(','), sel: null });
    },
  });
  box.append(drawn.svg);
  const toolbar = h('div', { class: 'toolbar' },
    h('label', {}, 'machine ', h('select', { id: 'machine', onchange: (ev) => go({ machine: ev.target.value, sel: null, collapsed: null }) }, machines.map((x) => h('option', { value: x.id, selected: x.id === machine ? true : null }, x.id)))),
    h('span', { class: 'muted' }, m?.title ?? ''),
    h('span', { class: 'muted' }, `proofs: ${m?.proofs.join(', ')}`),
    h('button', { onclick: () => go({ zoom: (zoom * 1.25).toFixed(2) }, true) }, '+'),
    h('button', { onclick: () => go({ zoom: (zoom / 1.25).toFixed(2) }, true) }, '−'),
    h('button', { onclick: () => go({ zoom: null }, true) }, 'fit'));
  const out = h('div', {}, toolbar);
  if (withCoverage) out.append(h('div', { class: 'legend toolbar' }, 'states and edges coloured by coverage: ', STATUSES.map((st) => h('span', { class: `s-${st}` }, st)), h('span', { class: 'muted' }, 'an edge is covered when one of its transitions is (k/n: covered of all)')));
  let side = sidePane(data, p.get('sel'));
  out.append(h('div', { class: 'chartwrap' }, box, side));
  if (withCoverage) out.append(coverageLists(p, data, machine));
  return {
    el: out,
    update(q) {
      const sel = q.get('sel');
      drawn.select(sel);
      const next = sidePane(data, sel);
      side.replaceWith(next);
      side = next;
    },
  };
}

function coverageLists(p, data, machine) {
  const dim = p.get('dim') ?? 'transitions';
  const filter = p.get('status') ?? '';
  const { coverage } = data;
  const counts = overview.coverage.counts;
  const wrap = h('div', { class: 'covlists' });
  wrap.append(h('h3', {}, 'Coverage of every source (as handover coverage --json reports it)'));
  wrap.append(h('table', { class: 'counts' },
    h('tr', {}, h('th', {}, 'dimension'), h('th', {}, 'total'), STATUSES.map((st) => h('th', {}, st))),
    Object.entries(counts).map(([d, c]) => h('tr', {}, h('td', {}, d), h('td', {}, c.total), STATUSES.map((st) => h('td', {}, `${c[st]} (${c.total ? ((100 * c[st]) / c.total).toFixed(1) : '-'}%)`))))));
  wrap.append(h('div', { class: 'note' }, `sources: ${overview.coverage.sources.map((x) => `${x.name} (${x.exhaustive ? 'exhaustive' : 'not exhaustive'})`).join(', ')}; pairs are counted, not listed`));
  const dims = ['states', 'transitions', 'guards', 'paths', 'rules'];
  wrap.append(h('div', { class: 'toolbar' },
    dims.map((d) => h('button', { class: d === dim ? 'current' : '', 'data-dim': d, onclick: () => go({ dim: d }, true) }, d === dim ? `[${d}]` : d)),
    h('label', {}, ' status ', h('select', { id: 'status-filter', onchange: (ev) => go({ status: ev.target.value }, true) }, h('option', { value: '' }, 'any'), STATUSES.map((st) => h('option', { value: st, selected: st === filter ? true : null }, st))))));
  let items;
  if (dim === 'rules') items = Object.entries(overview.rules).map(([id, c]) => ({ id, c, extra: `${c.op} → ${c.result} (${c.kernelFunction})` }));
  else if (dim === 'paths') items = coverage.paths.map((x) => ({ id: x.id, c: x.coverage }));
  else items = Object.entries(coverage[dim]).map(([id, c]) => ({ id, c }));
  const shown = items.filter((x) => !filter || x.c.status === filter);
  wrap.append(h('div', { class: 'muted' }, `${shown.length} of ${items.length} ${dim}${dim === 'rules' ? ' (kernel model, every machine)' : ` of ${machine}`}`));
  wrap.append(h('table', { class: 'items' }, shown.slice(0, 2000).map((x) => h('tr', { 'data-item': x.id, 'data-status': x.c.status },
    h('td', {}, pill(x.c.status)), h('td', { class: 'id' }, x.id, x.extra ? h('div', { class: 'muted' }, x.extra) : null),
    h('td', {}, x.c.witness ? witnessLink(x.c) : h('span', { class: 'note' }, x.c.reason ?? ''))))));
  return wrap;
}

// ---------------------------------------------------------------------------------------------------------------
// verdicts

const SHORT = {
  'domain-matches-areas': 'areas', 'iova-disjoint-aligned': 'iova', 'pin-accounting': 'pins', 'refcount-destroy': 'refs',
  'failure-atomic': 'atomic', 'blackout-immutable': 'blackout', 'preserved-reachable': 'reach', 'no-reuse': 'reuse',
  'dma-never-faults': 'dma', 'no-foreign-dma': 'foreign', 'reconstruction-equivalent': 'recon', 'finish-gated': 'finish',
  'fail-stop': 'failstop', 'no-deadlock': 'deadlock',
};

function verdictsView() {
  const inv = overview.invariants;
  const table = h('table', { class: 'verdicts' },
    h('tr', {}, h('th', {}, 'proof'), inv.map((i) => h('th', { class: 'rot', title: i }, SHORT[i] ?? i)), h('th', {}, 'goals'), h('th', {}, 'states'), h('th', {}, 'depth'), h('th', {}, 's')),
    overview.proofs.map((r) => h('tr', { 'data-proof': r.name },
      h('td', { class: 'proof', title: r.title ?? '' }, r.name, h('div', { class: 'muted' }, `${r.strategy}; ${r.environment}`)),
      inv.map((i) => {
        const v = r.invariants[i];
        const cx = r.counterexampleIds?.[i];
        const text = v.verdict === 'VIOLATED' ? `VIOLATED ${v.steps}` : v.verdict === 'INCOMPLETE' ? `INCOMPLETE ${v.bound ?? ''}` : 'HOLDS';
        const focus = overview.traces.find((t) => t.id === cx)?.focus ?? 0;
        return h('td', { class: `v-${v.verdict}${v.asExpected ? '' : ' unexpected'}`, 'data-invariant': i, title: `${i}: ${v.verdict}, expected ${v.expected}` },
          cx ? h('a', { href: hrefOf({ view: 'trace', trace: cx, step: focus }) }, text) : text, v.asExpected ? '' : ' ✗');
      }),
      h('td', { class: 'goals' }, Object.entries(r.goals).map(([phase, g]) => h('span', { class: `goal ${g.verdict}`, title: `expected ${g.expected}` }, `${phase} ${g.verdict}${g.steps !== undefined ? ` (${g.steps})` : ''}${g.asExpected ? '' : ' ✗'}`))),
      h('td', {}, r.states), h('td', {}, r.depth), h('td', {}, r.seconds))));
  const ok = overview.proofs.filter((r) => r.ok).length;
  return h('div', {}, h('h3', {}, `Verdicts: ${overview.proofs.length} proofs, ${ok} as expected`),
    h('div', { class: 'note' }, 'HOLDS: every reachable state explored, never broken; VIOLATED n: a shortest counterexample of n steps (click it to step through it); INCOMPLETE: a bound cut the search; ✗ (outlined): differs from the proof\'s expectation. Goals: the lifecycle phases each proof\'s world must reach (or not).'),
    table);
}

// ---------------------------------------------------------------------------------------------------------------
// trace stepper

async function traceSummary(id) {
  if (!traceCache.has(id)) traceCache.set(id, api(`/api/trace?id=${encodeURIComponent(id)}`));
  return traceCache.get(id);
}

function stepDetail(id, i) {
  const key = `${id}|${i}`;
  if (!stepCache.has(key)) {
    const pr = api(`/api/step?id=${encodeURIComponent(id)}&i=${i}`);
    pr.catch(() => stepCache.delete(key));
    stepCache.set(key, pr);
  }
  return stepCache.get(key);
}

function pageTablesEl(t) {
  if (t.columns.length === 0) return h('div', { class: 'muted' }, 'no translation table exists at this step');
  const table = h('table', { class: 'pt' },
    h('tr', {}, h('th', {}, 'IOVA range'), t.columns.map((c) => h('th', { class: c.reference ? 'ref' : '', 'data-col': c.id }, c.title, c.reference ? h('div', { class: 'sub' }, '(reference)') : null))),
    t.rows.map((r) => h('tr', { class: r.diff ? 'diff' : '', 'data-iova': r.iova },
      h('td', { class: 'iova' }, r.iova, h('div', { class: 'sub' }, `+${r.size} (${r.pages}p)`)),
      r.cells.map((c, ci) => (c === null ? h('td', {}, '') : h('td', { class: c.differs ? 'differs' : '', 'data-col': t.columns[ci].id },
        c.frame, c.prot ? h('div', { class: 'sub' }, `${c.prot}${c.leaf ? ` · leaf ${c.leaf}` : ''}`) : null))))));
  const nd = t.rows.filter((r) => r.diff).length;
  return h('div', {}, h('div', { class: 'note' }, nd ? `${nd} IOVA range(s) where a table does not translate as the reference (marked)` : 'every table translates as the reference'), table);
}

function treeEl(nodes, showAll) {
  const vis = (n) => showAll || n.status !== 'same';
  const li = (n) => {
    const fields = Object.entries(n.fields).map(([k, v]) => h('span', {}, ` ${k}=`, n.was[k] !== undefined ? h('span', { class: 'was' }, n.was[k]) : null, v));
    const kids = n.children.filter(vis);
    const rows = [];
    if (n.rowDiff) {
      for (const r of n.rowDiff.removed) rows.push(h('li', { class: 'row-rm' }, r));
      for (const r of n.rowDiff.added) rows.push(h('li', { class: 'row-add' }, r));
    } else if (showAll && n.rows?.length) for (const r of n.rows) rows.push(h('li', {}, r));
    return h('li', { class: n.status, 'data-key': n.key }, h('span', { class: 'lbl' }, n.label), h('span', { class: 'fields' }, fields),
      rows.length ? h('ul', {}, rows) : null, kids.length ? h('ul', {}, kids.map(li)) : null);
  };
  const top = nodes.filter(vis);
  if (!top.length) return h('div', { class: 'muted' }, 'nothing changed at this step');
  return h('ul', {}, top.map(li));
}

async function traceView(p) {
  const traces = overview.traces;
  const id = p.get('trace') ?? traces[0]?.id;
  if (!id) return { el: h('p', {}, 'No trace: no proof found a counterexample and no --trace was given.') };
  const sum = await traceSummary(id);
  const n = sum.steps.length;
  const options = traces.some((t) => t.id === id) ? traces : [...traces, { id, label: sum.label }];
  const el = h('div', {});
  el.append(h('div', { class: 'toolbar' },
    h('label', {}, 'trace ', h('select', { id: 'trace-select', onchange: (ev) => go({ trace: ev.target.value, step: null }) }, options.map((t) => h('option', { value: t.id, selected: t.id === id ? true : null }, t.label)))),
    h('span', { class: 'muted mono' }, sum.file)),
    h('div', { class: 'note' }, sum.description), h('div', { class: 'note', id: 'mode-note', 'data-mode': sum.mode }, `${sum.mode === 'statechart' ? '● statechart: ' : '○ derived: '}${sum.note}`),
    ...(sum.errors.length ? [h('div', { class: 'viol' }, sum.errors.join('; '))] : []));
  if (n === 0) {
    el.append(h('p', { class: 'muted', id: 'no-steps' }, 'This trace has no steps: it is the initial state (a witness reached before any event).'));
    return { el };
  }
  const list = h('div', { class: 'steplist', tabindex: 0, 'data-steps': n });
  const spacer = h('div', { class: 'spacer', style: `height:${n * ROW_H}px` });
  list.append(spacer);
  const detail = h('div', { class: 'detail' });
  el.append(h('div', { class: 'stepper' }, list, detail));

  let selected = Math.max(0, Math.min(n - 1, Number(p.get('step') ?? sum.focus ?? 0) || 0));
  let showAll = p.get('all') === '1';
  const renderRows = () => {
    const top = list.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_H) - 8);
    const last = Math.min(n, first + Math.ceil((list.clientHeight || 600) / ROW_H) + 16);
    spacer.replaceChildren();
    for (let i = first; i < last; i++) {
      const r = sum.steps[i];
      const err = r.result !== 'ok';
      spacer.append(h('div', {
        class: `steprow${i === selected ? ' sel' : ''}${r.violations.length ? ' bad' : ''}${r.adversarial ? ' adv' : ''}`, style: `top:${i * ROW_H}px`, 'data-step': i,
        title: `${r.op} ${r.args}\n=> ${r.result} ${r.out}\n${r.changed}${r.violations.length ? `\nbreaks ${r.violations.join(', ')}` : ''}`,
        onclick: () => select(i),
      },
      h('span', { class: 'muted' }, i), h('span', { class: 'op' }, r.op),
      h('span', { class: 'args' }, h('span', { class: err ? 'res-err' : '' }, r.result), r.out ? ` ${r.out}` : '', r.changed ? h('span', { class: 'chg' }, ` | ${r.changed}`) : '', r.violations.length ? h('span', { class: 'viol' }, ` ✗ ${r.violations.join(', ')}`) : '', ` | ${r.args}`)));
    }
  };
  list.addEventListener('scroll', renderRows);
  list.addEventListener('keydown', (ev) => {
    const k = ev.key;
    if (k === 'ArrowDown' || k === 'j') select(Math.min(n - 1, selected + 1));
    else if (k === 'ArrowUp' || k === 'k') select(Math.max(0, selected - 1));
    else if (k === 'Home') select(0);
    else if (k === 'End') select(n - 1);
    else if (k === 'PageDown') select(Math.min(n - 1, selected + 20));
    else if (k === 'PageUp') select(Math.max(0, selected - 20));
    else return;
    ev.preventDefault();
  });

  // The chart of the machine, drawn once; the active states change with the step.
  let chart = null;
  const chartBox = h('div', { class: 'chartbox' });
  if (sum.machine) {
    chartData(sum.machine, []).then((data) => {
      chart = drawChart(data, { zoom: 0.6 });
      chartBox.replaceChildren(chart.svg);
      const d = stepCache.get(`${id}|${selected}`);
      d?.then((x) => { chart.highlight(x.active); focusChart(); }).catch(() => {});
    });
  }
  /** Keeps the active phase in view in the chart's box. */
  const focusChart = () => {
    const node = chart?.svg.querySelector('g.node.active.atomic rect.box, g.node.active.final rect.box');
    if (!node) return;
    const box = node.getBoundingClientRect();
    const outer = chartBox.getBoundingClientRect();
    if (box.left < outer.left || box.right > outer.right) chartBox.scrollLeft += box.left - outer.left - outer.width / 2 + box.width / 2;
  };
  const headSlot = h('div', {});
  const phaseEl = h('span', { id: 'phase' });
  const chartSection = h('section', { class: 'minichart' }, h('h3', {}, 'Statechart: ', phaseEl, h('span', { class: 'muted' }, sum.mode === 'statechart' ? ' (the machine\'s active states; the transition taken is marked)' : ' (derived from the kernel state)')), chartBox);
  const tablesSlot = h('section', {});
  const treeSlot = h('section', {});
  let token = 0;
  let selectedAt = performance.now();
  const showDetail = async (i) => {
    const mine = ++token;
    const d = await stepDetail(id, i);
    if (mine !== token) return;
    const r = sum.steps[i];
    const line = d.line;
    const head = h('section', { id: 'step-head', 'data-step': i },
      h('h3', {}, `Step ${i}: ${r.op} `, h('span', { class: r.result === 'ok' ? '' : 'viol' }, r.result), i === sum.focus ? h('span', { class: 'viol' }, '  (the failing step)') : null),
      h('div', { class: 'mono' }, r.args),
      r.out ? h('div', { class: 'mono' }, `out: ${r.out}`) : null,
      line?.rule ? h('div', {}, 'kernel rule: ', h('code', {}, line.rule)) : null,
      d.step.comment ? h('div', { class: 'note' }, d.step.comment) : null,
      line?.reason ? h('div', { class: 'note' }, line.reason) : null,
      (line?.violations ?? []).map((v) => h('div', { class: 'viol', 'data-violation': v.invariant }, `✗ ${v.invariant}: ${v.message}`)),
      line?.expected ? h('div', { class: 'muted' }, `expectations ${line.expected.met ? 'met' : 'NOT met'}`) : null,
      d.dma ? h('div', { class: 'dma', id: 'dma' }, `DMA ${d.dma.device} @ ${d.dma.iova}: `, h('b', {}, d.dma.result === 'ok' ? `reaches ${d.dma.frame}` : d.dma.result), ` (${d.dma.walk})`) : null);
    // The chart's section stays in place (re-inserting a large SVG costs a layout): only its title changes.
    if (!chartSection.isConnected) detail.replaceChildren(headSlot, chartSection, tablesSlot, treeSlot);
    headSlot.replaceChildren(head);
    phaseEl.textContent = d.phase;
    tablesSlot.replaceChildren(h('h3', {}, 'Page tables side by side'), pageTablesEl(d.tables));
    treeSlot.replaceChildren(h('h3', {}, 'Objects: what changed at this step ',
      h('label', { class: 'muted' }, h('input', { type: 'checkbox', id: 'show-all', checked: showAll ? true : null, onchange: (ev) => go({ all: ev.target.checked ? '1' : null }, true) }), ' show unchanged objects')),
    h('div', { class: 'tree' }, treeEl(d.tree, showAll)));
    // In-page time from the selection to its detail in the DOM (the benchmark reads it).
    window.vizStepTiming = { step: i, ms: performance.now() - selectedAt };
    if (chart) {
      chart.highlight(d.active);
      focusChart();
    }
  };
  const select = (i, fromUrl = false) => {
    selectedAt = performance.now();
    selected = i;
    if (!fromUrl) go({ step: i }, true);
    const top = i * ROW_H;
    if (top < list.scrollTop || top + ROW_H > list.scrollTop + list.clientHeight) list.scrollTop = Math.max(0, top - list.clientHeight / 3);
    renderRows();
    showDetail(i);
  };
  return {
    el,
    after() {
      select(selected, true);
      list.focus({ preventScroll: true });
    },
    update(q) {
      const want = Number(q.get('step') ?? selected);
      const all = q.get('all') === '1';
      if (all !== showAll) {
        showAll = all;
        showDetail(selected);
      }
      if (Number.isFinite(want) && want !== selected && want >= 0 && want < n) select(want, true);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function render() {
  const p = params();
  const view = p.get('view') ?? 'verdicts';
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('current', a.dataset.view === view);
  const key = view === 'trace' ? `trace|${p.get('trace') ?? ''}` : `${view}|${p.get('machine') ?? ''}|${p.get('collapsed') ?? ''}|${p.get('zoom') ?? ''}|${p.get('dim') ?? ''}|${p.get('status') ?? ''}`;
  if (mounted && mounted.key === key) {
    mounted.update?.(p);
    return;
  }
  try {
    let v;
    if (view === 'chart') v = await chartView(p, false);
    else if (view === 'coverage') v = await chartView(p, true);
    else if (view === 'trace') v = await traceView(p);
    else v = { el: verdictsView() };
    const scroll = window.scrollY;
    main.replaceChildren(v.el);
    main.dataset.view = view;
    mounted = { key, update: v.update };
    v.after?.();
    if (view !== 'trace') window.scrollTo(0, scroll);
  } catch (err) {
    main.replaceChildren(h('pre', { class: 'log' }, String(err?.stack ?? err)));
    mounted = null;
  }
}

async function start() {
  for (;;) {
    const st = await api('/api/status').catch((e) => ({ state: 'error', error: String(e), log: [] }));
    if (st.state === 'ready') break;
    main.replaceChildren(h('p', { class: 'loading' }, st.state === 'error' ? 'The server could not compute the data:' : 'The server is running the proofs and their coverage…'),
      h('pre', { class: 'log' }, [...st.log, st.error ?? ''].join('\n')));
    if (st.state === 'error') return;
    await new Promise((r) => setTimeout(r, 500));
  }
  overview = await api('/api/overview');
  statusEl.textContent = `${overview.proofs.length} proofs · ${overview.machines.length} statecharts${overview.cached ? ' · from the cache' : ''}`;
  window.addEventListener('popstate', render);
  window.addEventListener('hashchange', render);
  document.body.dataset.ready = '1';
  await render();
}

start();

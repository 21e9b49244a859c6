// The coverage report's interactive part (handover coverage --html): drill-down, status filter, n/p gap keys, and the
// view in the URL hash (reload restores it). Plain DOM, no dependency; the data is window.COVERAGE_REPORT (data.js).
(function () {
  'use strict';
  var R = window.COVERAGE_REPORT;
  var DIMS = ['states', 'transitions', 'guards', 'rules', 'pairs', 'paths'];
  var STATUSES = ['covered', 'unreachable', 'uncovered', 'excluded'];
  var PAGE = 300;
  var view = document.getElementById('view');
  var crumbs = document.getElementById('crumbs');
  var filterForm = document.getElementById('filter');

  // data.js writes each reason once (R.reasons, item.ri) and each pair as its transitions' indexes (item.p).
  var transitions = R.dimensions.transitions.items;
  DIMS.forEach(function (d) {
    R.dimensions[d].items.forEach(function (it) {
      if (it.ri !== undefined) { it.reason = R.reasons[it.ri]; delete it.ri; }
      if (it.p) {
        var a = transitions[it.p[0]], b = transitions[it.p[1]];
        it.id = a.id + '  =>  ' + b.id;
        it.machine = a.machine;
        delete it.p;
      }
    });
  });

  // Indexes: items by dimension and id, children by parent id.
  var byKey = {};
  var children = {};
  DIMS.forEach(function (d) {
    R.dimensions[d].items.forEach(function (it) {
      byKey[d + '|' + it.id] = { dim: d, item: it };
      if (it.parent !== undefined) {
        var k = d + '|' + it.parent;
        (children[k] = children[k] || []).push(it);
      }
    });
  });

  function params() {
    var p = new URLSearchParams(location.hash.replace(/^#/, ''));
    return {
      view: p.get('view') || 'overview',
      id: p.get('id'),
      dim: p.get('dim'),
      machine: p.get('m'),
      status: p.get('status') ? p.get('status').split(',') : STATUSES.slice(),
      at: p.get('at'),
      show: Number(p.get('show')) || PAGE,
    };
  }

  function hashOf(p) {
    var q = new URLSearchParams();
    q.set('view', p.view);
    if (p.id) q.set('id', p.id);
    if (p.dim) q.set('dim', p.dim);
    if (p.machine) q.set('m', p.machine);
    if (p.status && p.status.length !== STATUSES.length) q.set('status', p.status.join(','));
    if (p.at) q.set('at', p.at);
    if (p.show && p.show !== PAGE) q.set('show', String(p.show));
    return '#' + q.toString();
  }

  function link(p, text, cls) {
    var a = document.createElement('a');
    var cur = params();
    a.href = hashOf(Object.assign({ status: cur.status }, p));
    a.textContent = text;
    if (cls) a.className = cls;
    return a;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function badge(status) {
    return el('span', 'badge ' + status, status);
  }

  function witnessBlock(it) {
    var box = el('div');
    if (it.witness) {
      var w = it.witness;
      var head = el('div', 'witness-head');
      head.appendChild(document.createTextNode('witness from ' + w.source));
      if (w.events) head.appendChild(document.createTextNode(w.events.length === 0 ? ': the initial transition (no event)' : ': ' + w.events.length + ' event' + (w.events.length === 1 ? '' : 's')));
      if (w.step !== undefined) head.appendChild(document.createTextNode(', step ' + w.step + ' of ' + w.trace));
      if (w.href) {
        head.appendChild(document.createTextNode(' — '));
        var a = document.createElement('a');
        a.href = w.href;
        a.textContent = 'trace file';
        a.className = 'trace-link';
        head.appendChild(a);
      }
      box.appendChild(head);
      if (w.events && w.events.length) {
        var ol = el('ol', 'witness');
        w.events.forEach(function (e) { ol.appendChild(el('li', null, e)); });
        box.appendChild(ol);
      }
    } else if (it.reason) {
      box.appendChild(el('div', 'reason', it.reason));
    }
    return box;
  }

  // A row of a table of items.
  function row(dim, it, indent, p, showWitness) {
    var tr = el('tr', 'item ' + it.status);
    tr.dataset.key = dim + '|' + it.id;
    var td0 = el('td');
    td0.appendChild(badge(it.status));
    tr.appendChild(td0);
    var td1 = el('td', 'id' + (indent ? ' indent-' + Math.min(indent, 4) : ''));
    var target = dim === 'states' ? { view: 'state', id: it.id } : { view: 'item', dim: dim, id: it.id };
    td1.appendChild(link(target, it.id));
    if (it.detail) td1.appendChild(el('div', 'reason', it.detail));
    tr.appendChild(td1);
    var td2 = el('td');
    if (showWitness) td2.appendChild(witnessBlock(it));
    else if (it.witness) td2.appendChild(el('span', 'reason', it.witness.events ? it.witness.events.length + ' events' : 'trace ' + it.witness.trace));
    else td2.appendChild(el('span', 'reason', it.reason || ''));
    tr.appendChild(td2);
    return tr;
  }

  function visible(p) {
    return function (it) { return p.status.indexOf(it.status) >= 0; };
  }

  function depthOf(it) {
    var d = 0;
    var cur = it;
    while (cur && cur.parent !== undefined && d < 10) {
      var up = byKey['states|' + cur.parent];
      cur = up && up.item;
      d++;
    }
    return d;
  }

  function countsOf(items) {
    var c = { total: items.length, covered: 0, unreachable: 0, uncovered: 0, excluded: 0 };
    items.forEach(function (it) { c[it.status]++; });
    return c;
  }

  function countsLine(c) {
    return STATUSES.map(function (s) { return c[s] + ' ' + s; }).join(', ') + ' of ' + c.total;
  }

  function machines() {
    var seen = [];
    R.dimensions.states.items.forEach(function (it) { if (it.machine && seen.indexOf(it.machine) < 0) seen.push(it.machine); });
    return seen;
  }

  // Each view returns the rows it shows, in order: [{dim, item, indent}] (n/p walk their gaps).
  function render(p) {
    view.textContent = '';
    crumbs.textContent = '';
    crumbs.appendChild(link({ view: 'overview' }, 'overview'));
    var rows = [];
    var table = el('table', 'items');
    var title = el('h2');
    view.appendChild(title);
    var show = visible(p);
    function add(dim, it, indent, full) {
      rows.push({ dim: dim, item: it, indent: indent, full: full });
    }
    if (p.view === 'machine') {
      title.textContent = 'Machine ' + p.id;
      crumbs.appendChild(document.createTextNode(' › machine ' + p.id));
      var ul = el('p');
      ['transitions', 'guards', 'pairs', 'paths'].forEach(function (d, i) {
        var items = R.dimensions[d].items.filter(function (it) { return it.machine === p.id; });
        if (i) ul.appendChild(document.createTextNode(' · '));
        ul.appendChild(link({ view: 'dimension', dim: d, machine: p.id }, d));
        ul.appendChild(document.createTextNode(' (' + countsLine(countsOf(items)) + ')'));
      });
      view.appendChild(ul);
      var states = R.dimensions.states.items.filter(function (it) { return it.machine === p.id; });
      view.appendChild(el('p', null, 'States: ' + countsLine(countsOf(states))));
      states.filter(show).forEach(function (it) { add('states', it, depthOf(it), false); });
    } else if (p.view === 'state') {
      var st = byKey['states|' + p.id];
      if (!st) { title.textContent = 'No state ' + p.id; return rows; }
      crumbs.appendChild(document.createTextNode(' › '));
      crumbs.appendChild(link({ view: 'machine', id: st.item.machine }, 'machine ' + st.item.machine));
      crumbs.appendChild(document.createTextNode(' › state ' + p.id));
      title.textContent = 'State ' + p.id;
      add('states', st.item, 0, true);
      (children['transitions|' + p.id] || []).forEach(function (t) {
        if (show(t)) add('transitions', t, 1, true);
        (children['guards|' + t.id] || []).filter(show).forEach(function (g) { add('guards', g, 2, true); });
      });
    } else if (p.view === 'dimension' && R.dimensions[p.dim]) {
      title.textContent = p.dim + (p.machine ? ' of ' + p.machine : '');
      crumbs.appendChild(document.createTextNode(' › '));
      if (p.machine) {
        crumbs.appendChild(link({ view: 'machine', id: p.machine }, 'machine ' + p.machine));
        crumbs.appendChild(document.createTextNode(' › '));
      }
      crumbs.appendChild(document.createTextNode(p.dim));
      var all = R.dimensions[p.dim].items.filter(function (it) { return !p.machine || it.machine === p.machine; });
      view.appendChild(el('p', null, countsLine(countsOf(all))));
      all.filter(show).forEach(function (it) { add(p.dim, it, 0, false); });
    } else if (p.view === 'item' && byKey[p.dim + '|' + p.id]) {
      var x = byKey[p.dim + '|' + p.id].item;
      crumbs.appendChild(document.createTextNode(' › '));
      if (x.machine) {
        crumbs.appendChild(link({ view: 'machine', id: x.machine }, 'machine ' + x.machine));
        crumbs.appendChild(document.createTextNode(' › '));
      }
      var owner = x.kind === 'transition' ? x.parent : x.kind === 'guard' ? (byKey['transitions|' + x.parent] || { item: {} }).item.parent : undefined;
      if (owner) {
        crumbs.appendChild(link({ view: 'state', id: owner }, 'state ' + owner));
        crumbs.appendChild(document.createTextNode(' › '));
      }
      crumbs.appendChild(document.createTextNode(x.kind));
      title.textContent = x.kind + ' ' + x.id;
      add(p.dim, x, 0, true);
      if (x.kind === 'transition') (children['guards|' + x.id] || []).filter(show).forEach(function (g) { add('guards', g, 1, true); });
    } else {
      title.textContent = 'Overview';
      var list = el('ul');
      machines().forEach(function (m) {
        var li = el('li');
        li.appendChild(link({ view: 'machine', id: m }, m));
        var states = R.dimensions.states.items.filter(function (it) { return it.machine === m; });
        li.appendChild(document.createTextNode(': states ' + countsLine(countsOf(states))));
        list.appendChild(li);
      });
      view.appendChild(list);
      DIMS.forEach(function (d) {
        R.dimensions[d].items.filter(show).forEach(function (it) { if (it.status === 'uncovered' || it.status === 'unreachable') add(d, it, 0, false); });
      });
      view.appendChild(el('p', null, 'Gaps (unreachable and uncovered items of every dimension, n / p walk them): ' + rows.length));
    }
    var limit = p.show;
    var atIndex = rows.findIndex(function (r) { return r.dim + '|' + r.item.id === p.at; });
    if (atIndex >= limit) limit = atIndex + 1;
    rows.slice(0, limit).forEach(function (r) { table.appendChild(row(r.dim, r.item, r.indent, p, r.full)); });
    view.appendChild(table);
    if (rows.length > limit) {
      var more = el('p', 'more');
      more.appendChild(link(Object.assign({}, p, { show: limit + PAGE }), 'show ' + Math.min(PAGE, rows.length - limit) + ' more of ' + (rows.length - limit)));
      view.appendChild(more);
    }
    if (rows.length === 0) view.appendChild(el('p', 'reason', 'Nothing to show with this filter.'));
    var cur = p.at && view.querySelector('tr[data-key="' + CSS.escape(p.at) + '"]');
    if (cur) {
      cur.classList.add('current');
      cur.scrollIntoView({ block: 'center' });
    }
    return rows;
  }

  var currentRows = [];
  function update() {
    var p = params();
    Array.prototype.forEach.call(filterForm.elements.status, function (box) { box.checked = p.status.indexOf(box.value) >= 0; });
    currentRows = render(p);
  }

  filterForm.addEventListener('change', function () {
    var p = params();
    p.status = Array.prototype.filter.call(filterForm.elements.status, function (b) { return b.checked; }).map(function (b) { return b.value; });
    p.at = null;
    location.hash = hashOf(p);
  });

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || (e.target && /input|textarea|select/i.test(e.target.tagName) && e.target.type !== 'checkbox')) return;
    if (e.key !== 'n' && e.key !== 'p') return;
    var gaps = currentRows.filter(function (r) { return r.item.status === 'uncovered' || r.item.status === 'unreachable'; });
    if (gaps.length === 0) return;
    var p = params();
    var i = gaps.findIndex(function (r) { return r.dim + '|' + r.item.id === p.at; });
    if (i < 0) {
      // From the top (n) or the bottom (p) when no gap is current.
      i = e.key === 'n' ? 0 : gaps.length - 1;
    } else {
      i = e.key === 'n' ? Math.min(i + 1, gaps.length - 1) : Math.max(i - 1, 0);
    }
    p.at = gaps[i].dim + '|' + gaps[i].item.id;
    location.hash = hashOf(p);
    e.preventDefault();
  });

  window.addEventListener('hashchange', update);
  update();
})();

/* strata docs — the site's script.

   Data comes from script files under docs/ (see engine/docs/data.go): each
   calls strataDocs.load(name, data). docs/index.js holds every node's summary
   in columns and arrives with the page; docs/n/<k>.js (node details) and
   docs/s/<hex>.js (search postings) load when needed. Script files rather than
   the Fetch API let the page work opened from disk (file://) too.

   Everything the data holds is written into the page with textContent, except
   descriptions (HTML that goldmark rendered safely at generate time) and SQL
   (built here from escaped tokens). Lists draw only the rows on screen. */
(function () {
  'use strict';

  var ROW = 22;            // sidebar row height (px), matches .vrow
  var GRAPH_CAP = 400;     // nodes drawn at most in the lineage graph
  var COLUMN_CAP = 300;    // columns drawn at most in a column lineage graph
  var KIND_SOURCE = 0, KIND_SEED = 1, KIND_TEST = 4;

  var D = null;            // the index
  var N = 0, FIRST_TEST = 0;
  var names, lnames, kinds, folderOf, parentsOf, builtOf;
  var childStart = null, childList = null;
  var idIndex = null;
  var pending = {}, cache = {};
  var statusOf = {};
  var shardSet = null;
  var main, filterEl, listEl, countEl, searchEl;
  var sidebar = null;
  var collapsed = {};
  var currentNode = -1;
  var routeToken = 0;
  window.__strataFilterLatency = [];
  window.__strataFilterWork = [];

  // ---------------------------------------------------------------- loading

  window.strataDocs = {
    load: function (name, data) {
      if (name === 'index') {
        start(data);
        return;
      }
      var p = pending[name];
      if (p) {
        delete pending[name];
        p.resolve(data);
      }
    },
    missing: function (src) {
      fatal('The data of this page (' + src + ') is missing: run `strata docs generate`, then reload.');
    },
    // select evaluates a selector as the graph filter does and returns the
    // unique_ids of the models, seeds, snapshots and sources it selects.
    select: function (expr) {
      var m = select(expr), out = [];
      for (var i = 0; i < FIRST_TEST; i++) if (m[i]) out.push(nodeId(i));
      return out;
    }
  };

  function load(name) {
    if (cache[name]) return cache[name];
    cache[name] = new Promise(function (resolve, reject) {
      pending[name] = { resolve: resolve };
      var s = document.createElement('script');
      s.src = 'docs/' + name + '.js';
      s.onload = function () { s.remove(); };
      s.onerror = function () {
        delete pending[name];
        delete cache[name];
        s.remove();
        reject(new Error('cannot load docs/' + name + '.js: run `strata docs generate` again'));
      };
      document.head.appendChild(s);
    });
    return cache[name];
  }

  function fatal(msg) {
    var m = document.getElementById('main');
    m.textContent = '';
    m.appendChild(h('p', { cls: 'err' }, msg));
  }

  // ------------------------------------------------------------------ DOM

  // h builds an element: h('a', {href: '#', cls: 'x'}, 'text', child, …).
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] == null) continue;
        if (k === 'cls') el.className = attrs[k];
        else if (k === 'html') el.innerHTML = attrs[k];
        else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), attrs[k]);
        else el.setAttribute(k, attrs[k]);
      }
    }
    for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
    return el;
  }

  function add(el, c) {
    if (c == null || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { add(el, x); }); return; }
    el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // ------------------------------------------------------------------ data

  function start(d) {
    if (!d || d.v !== 1) {
      fatal('This page and its data come from different strata versions: run `strata docs generate` again.');
      return;
    }
    D = d;
    N = d.n.name.length;
    FIRST_TEST = d.project.first_test;
    names = d.n.name;
    lnames = new Array(N);
    kinds = new Uint8Array(N);
    builtOf = new Uint8Array(N);
    folderOf = d.n.folder;
    parentsOf = d.n.parents;
    for (var i = 0; i < N; i++) {
      lnames[i] = names[i].toLowerCase();
      kinds[i] = d.n.kind.charCodeAt(i) - 48;
      builtOf[i] = d.n.built.charCodeAt(i) - 48;
    }
    statusOf = d.status || {};
    shardSet = new Set(d.shards || []);
    main = document.getElementById('main');
    filterEl = document.getElementById('filter');
    listEl = document.getElementById('list');
    countEl = document.getElementById('count');
    searchEl = document.getElementById('search');
    document.getElementById('brand').textContent = d.project.name || 'strata docs';

    sidebar = new VList(listEl, ROW, renderSideRow, clickSideRow);
    filterEl.addEventListener('input', function (e) {
      // Measured for the browser test: from the keystroke's event to the
      // frame after the list is drawn, and the script's own share.
      var t0 = e.timeStamp, w0 = performance.now();
      applyFilter(filterEl.value);
      window.__strataFilterWork.push(performance.now() - w0);
      requestAnimationFrame(function () {
        setTimeout(function () { window.__strataFilterLatency.push(performance.now() - t0); }, 0);
      });
    });
    var searchTimer = 0;
    searchEl.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') {
        clearTimeout(searchTimer);
        go('#!/search?q=' + encodeURIComponent(searchEl.value));
      }
    });
    searchEl.addEventListener('input', function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () {
        if (searchEl.value.trim().length >= 2) go('#!/search?q=' + encodeURIComponent(searchEl.value));
      }, 250);
    });
    applyFilter('');
    window.addEventListener('hashchange', route);
    route();
    requestAnimationFrame(function () {
      setTimeout(function () {
        performance.mark('strata-ready');
        document.body.setAttribute('data-ready', '1');
      }, 0);
    });
  }

  function go(hash) {
    if (location.hash !== hash) location.hash = hash;
    else route();
  }

  function kindName(i) { return D.kinds[kinds[i]]; }

  function nodeId(i) {
    var x = D.ids && D.ids[i];
    if (x) return x;
    return kindName(i) + '.' + D.packages[D.n.pkg[i]] + '.' + names[i];
  }

  function indexOfId(id) {
    if (!idIndex) {
      idIndex = new Map();
      for (var i = 0; i < FIRST_TEST; i++) idIndex.set(nodeId(i), i);
    }
    return idIndex.has(id) ? idIndex.get(id) : -1;
  }

  function nodePath(i) {
    var f = D.n.file[i];
    if (typeof f === 'string' && f.indexOf('/') >= 0) return f;
    var dir = D.folders[folderOf[i]];
    if (!f) f = names[i] + (kinds[i] === KIND_SEED ? '.csv' : '.sql');
    return dir ? dir + '/' + f : f;
  }

  function tagsOf(i) {
    var t = D.n.tags[i];
    return t ? t.map(function (k) { return D.tags[k]; }) : [];
  }

  function parents(i) { return parentsOf[i] || []; }

  function ensureChildren() {
    if (childStart) return;
    var counts = new Int32Array(N + 1);
    var i, j, ps;
    for (i = 0; i < N; i++) {
      ps = parentsOf[i];
      if (ps) for (j = 0; j < ps.length; j++) counts[ps[j] + 1]++;
    }
    for (i = 0; i < N; i++) counts[i + 1] += counts[i];
    childStart = counts;
    childList = new Int32Array(counts[N]);
    var fill = new Int32Array(N);
    for (i = 0; i < N; i++) {
      ps = parentsOf[i];
      if (ps) for (j = 0; j < ps.length; j++) childList[childStart[ps[j]] + fill[ps[j]]++] = i;
    }
  }

  function children(i) {
    ensureChildren();
    return childList.subarray(childStart[i], childStart[i + 1]);
  }

  function href(i) {
    if (i >= FIRST_TEST) {
      var att = D.tests[i - FIRST_TEST][0];
      if (att >= 0) return '#!/node/' + encodeURIComponent(nodeId(att));
      var ps = parents(i);
      return ps.length ? '#!/node/' + encodeURIComponent(nodeId(ps[0])) : '#!/overview';
    }
    return '#!/node/' + encodeURIComponent(nodeId(i));
  }

  function statusClass(s) {
    if (!s) return '';
    var w = String(s).split(' ').pop().toLowerCase();
    return w.replace(/[^a-z]/g, '');
  }

  function detail(i) {
    return load('n/' + Math.floor(i / D.chunk)).then(function (c) { return c[i]; });
  }

  // --------------------------------------------------------- virtual list

  // VList draws rows [0, count) of fixed height, only those on screen.
  function VList(el, rowH, render, click) {
    this.el = el;
    this.rowH = rowH;
    this.render = render;
    this.count = 0;
    this.pool = [];
    this.spacer = h('div', { style: 'height:0;width:1px' });
    el.textContent = '';
    el.appendChild(this.spacer);
    var self = this;
    var queued = false;
    el.addEventListener('scroll', function () {
      if (queued) return;
      queued = true;
      requestAnimationFrame(function () { queued = false; self.draw(); });
    });
    el.addEventListener('click', function (e) {
      var row = e.target.closest('.vrow');
      if (row && row.__i != null) click(row.__i, e);
    });
    window.addEventListener('resize', function () { self.draw(); });
  }

  VList.prototype.setCount = function (n) {
    this.count = n;
    this.spacer.style.height = (n * this.rowH) + 'px';
    this.draw();
  };

  VList.prototype.draw = function () {
    var top = this.el.scrollTop, height = this.el.clientHeight || 800;
    var first = Math.max(0, Math.floor(top / this.rowH) - 4);
    var last = Math.min(this.count, Math.ceil((top + height) / this.rowH) + 4);
    var need = Math.max(0, last - first);
    while (this.pool.length < need) {
      var div = h('div', { cls: 'vrow' });
      this.el.appendChild(div);
      this.pool.push(div);
    }
    for (var k = 0; k < this.pool.length; k++) {
      var d = this.pool[k];
      if (k < need) {
        var i = first + k;
        d.style.display = '';
        d.style.transform = 'translateY(' + (i * this.rowH) + 'px)';
        d.__i = i;
        this.render(d, i);
      } else {
        d.style.display = 'none';
        d.__i = null;
      }
    }
  };

  // ----------------------------------------------------------------- sidebar

  // Sidebar rows: rowType 0 = node, 1 = folder, 2 = kind heading.
  var rowType = new Int8Array(0), rowVal = new Int32Array(0), rowCount = 0;
  var filterQuery = '';

  function applyFilter(v) {
    v = v.trim();
    var mask = null, q = '';
    countEl.classList.remove('err');
    if (/[:+@,\s*?\[]/.test(v)) {
      try {
        mask = select(v);
      } catch (err) {
        countEl.textContent = err.message;
        countEl.classList.add('err');
        return;
      }
    } else {
      q = v.toLowerCase();
    }
    filterQuery = v;
    if (rowType.length < FIRST_TEST * 2 + 16) {
      rowType = new Int8Array(FIRST_TEST * 2 + 16);
      rowVal = new Int32Array(FIRST_TEST * 2 + 16);
    }
    var n = 0, lastK = -1, lastF = -1, shown = 0, closed = false;
    for (var i = 0; i < FIRST_TEST; i++) {
      if (q && lnames[i].indexOf(q) < 0) continue;
      if (mask && !mask[i]) continue;
      var k = kinds[i], f = folderOf[i];
      if (k !== lastK) {
        rowType[n] = 2; rowVal[n] = k; n++;
        lastK = k; lastF = -1;
      }
      if (f !== lastF) {
        rowType[n] = 1; rowVal[n] = k * 1000000 + f; n++;
        lastF = f;
        closed = !v && collapsed[k * 1000000 + f];
      }
      shown++;
      if (!closed) {
        rowType[n] = 0; rowVal[n] = i; n++;
      }
    }
    rowCount = n;
    countEl.textContent = v ? shown.toLocaleString() + ' of ' + FIRST_TEST.toLocaleString() + ' nodes' : FIRST_TEST.toLocaleString() + ' nodes';
    sidebar.setCount(n);
  }

  var KIND_TITLES = ['Sources', 'Seeds', 'Models', 'Snapshots', 'Tests', 'Analyses', 'Exposures'];

  function renderSideRow(div, r) {
    var t = rowType[r], v = rowVal[r];
    div.textContent = '';
    if (t === 2) {
      div.className = 'vrow kind';
      div.textContent = KIND_TITLES[v] || D.kinds[v];
      div.title = '';
      return;
    }
    if (t === 1) {
      var f = v % 1000000;
      div.className = 'vrow folder' + (collapsed[v] && !filterQuery ? ' closed' : '');
      div.textContent = D.folders[f] || '(root)';
      div.title = D.folders[f] || '';
      return;
    }
    div.className = 'vrow node' + (v === currentNode ? ' cur' : '') + (D.counts.built && !builtOf[v] ? ' unbuilt' : '');
    var st = statusOf[v];
    if (st) div.appendChild(h('span', { cls: 'st ' + statusClass(st), title: st }));
    // Sources are listed under their source: show the table's name.
    div.appendChild(document.createTextNode(kinds[v] === KIND_SOURCE ? names[v].slice(names[v].indexOf('.') + 1) : names[v]));
    div.title = nodePath(v) + (D.counts.built && !builtOf[v] ? ' (not found in the warehouse)' : '');
  }

  function clickSideRow(r) {
    if (rowType[r] === 0) go(href(rowVal[r]));
    else if (rowType[r] === 1 && !filterQuery) {
      var key = rowVal[r];
      collapsed[key] = !collapsed[key];
      applyFilter(filterEl.value);
    }
  }

  function markCurrent(i) {
    currentNode = i;
    sidebar.draw();
  }

  // ----------------------------------------------------------------- routes

  function route() {
    var hash = location.hash.replace(/^#!?\/?/, '');
    var query = '';
    var qi = hash.indexOf('?');
    if (qi >= 0) {
      query = hash.slice(qi + 1);
      hash = hash.slice(0, qi);
    }
    var params = new URLSearchParams(query);
    routeToken++;
    main.className = '';
    var slash = hash.indexOf('/');
    var head = slash >= 0 ? hash.slice(0, slash) : hash;
    var rest = slash >= 0 ? decodeURIComponent(hash.slice(slash + 1)) : '';
    if (head === 'graph') showGraph(params);
    else if (head === 'search') showSearch(params.get('q') || '');
    else if (rest && rest.indexOf('.') > 0) showNode(rest);
    else showOverview();
  }

  function page() {
    main.textContent = '';
    main.scrollTop = 0;
    var p = h('div', { cls: 'page' });
    main.appendChild(p);
    return p;
  }

  function showOverview() {
    markCurrent(-1);
    var p = page();
    var pr = D.project;
    if (D.overview) p.appendChild(h('div', { cls: 'desc overview', html: D.overview }));
    else p.appendChild(h('h1', null, pr.name, h('span', { cls: 'badge' }, 'project')));
    p.appendChild(h('h2', null, 'Project'));
    var facts = [['adapter', pr.adapter], ['target', pr.target], ['generated', pr.generated_at], ['strata', pr.strata_version],
      ['column lineage', pr.lineage || 'not derived']];
    ['source', 'seed', 'model', 'snapshot', 'test', 'analysis', 'exposure'].forEach(function (k) {
      if (D.counts[k]) facts.push([k + 's', D.counts[k].toLocaleString()]);
    });
    facts.push(['built relations', (D.counts.built || 0).toLocaleString()]);
    p.appendChild(factTable(facts));
    if (D.errors && D.errors.length) {
      p.appendChild(h('h2', null, 'Catalog errors'));
      p.appendChild(h('ul', { cls: 'err' }, D.errors.map(function (e) { return h('li', null, e); })));
    }
    p.appendChild(h('p', { cls: 'muted' }, 'Pick a node on the left, filter with a name or a selector (tag:x, +model, path:models/marts), search above, or open the ',
      h('a', { href: '#!/graph' }, 'lineage graph'), '.'));
  }

  function factTable(rows) {
    return h('table', { cls: 'facts' }, rows.filter(function (r) { return r[1] != null && r[1] !== ''; }).map(function (r) {
      return h('tr', null, h('th', null, r[0]), h('td', null, r[1]));
    }));
  }

  function nodeLink(i, text) {
    return h('a', { href: href(i), title: nodePath(i) }, text == null ? names[i] : text);
  }

  // -------------------------------------------------------------- node page

  function showNode(id) {
    var i = indexOfId(id);
    var p = page();
    if (i < 0) {
      markCurrent(-1);
      p.appendChild(h('h1', null, 'Not found'));
      p.appendChild(h('p', null, 'No node ', h('code', null, id), ' in this project.'));
      return;
    }
    markCurrent(i);
    var token = routeToken;
    p.appendChild(h('h1', null, names[i], h('span', { cls: 'badge' }, kindName(i)), statusBadge(statusOf[i])));
    p.appendChild(h('p', { cls: 'muted' }, 'Loading…'));
    detail(i).then(function (d) {
      if (token !== routeToken) return;
      renderNode(p, i, d || {});
    }, function (err) {
      if (token !== routeToken) return;
      p.appendChild(h('p', { cls: 'err' }, err.message));
    });
  }

  function statusBadge(s) {
    if (!s) return null;
    return h('span', { cls: 'badge ' + statusClass(s), title: 'last run' }, s);
  }

  function renderNode(p, i, d) {
    p.textContent = '';
    p.appendChild(h('h1', null, names[i], h('span', { cls: 'badge' }, kindName(i)), statusBadge(statusOf[i])));
    p.appendChild(h('p', null,
      h('a', { cls: 'btn', href: '#!/graph?focus=' + encodeURIComponent(nodeId(i)) + '&up=2&down=2' }, 'Lineage graph'), ' ',
      d.sql || d.raw ? h('a', { cls: 'btn', href: '#sql', onclick: function (e) { e.preventDefault(); var s = document.getElementById('sql'); if (s) s.scrollIntoView(); } }, 'SQL') : null));
    if (d.desc) p.appendChild(h('div', { cls: 'desc', html: d.desc }));
    else p.appendChild(h('p', { cls: 'muted' }, 'No description.'));
    if (d.source && d.source.desc) p.appendChild(h('div', { cls: 'desc' }, h('div', { cls: 'muted' }, 'Source ' + d.source.name + ':'), h('div', { html: d.source.desc })));

    renderColumns(p, i, d);

    p.appendChild(h('h2', null, 'Details'));
    var tags = tagsOf(i);
    var facts = [
      ['unique_id', d.id],
      ['relation', d.rel],
      ['materialized', d.mat],
      ['path', d.path],
      ['package', D.packages[D.n.pkg[i]]],
      ['tags', tags.length ? tags.map(function (t) { return h('span', { cls: 'tag' }, t); }) : null],
      ['warehouse', d.ctype ? d.ctype + (d.owner ? ' · owner ' + d.owner : '') : (kinds[i] !== KIND_TEST && D.counts.built ? 'not found in the warehouse' : null)],
      ['properties', d.patch]
    ];
    if (d.config) {
      Object.keys(d.config).forEach(function (k) {
        if (k !== 'materialized') facts.push([k, String(d.config[k])]);
      });
    }
    if (d.source) {
      facts.push(['source', d.source.name], ['identifier', d.source.identifier], ['loaded_at_field', d.source.loaded_at_field], ['freshness rule', d.source.freshness]);
    }
    p.appendChild(factTable(facts));

    if (d.run) {
      p.appendChild(h('h2', null, 'Last run'));
      p.appendChild(factTable([
        ['status', h('span', { cls: 'badge ' + statusClass(d.run.status) }, d.run.status)],
        ['finished', d.run.completed_at],
        ['seconds', d.run.execution_time != null ? d.run.execution_time.toFixed(2) : null],
        ['message', d.run.message]
      ]));
    }
    if (d.fresh) {
      p.appendChild(h('h2', null, 'Freshness'));
      p.appendChild(factTable([
        ['status', h('span', { cls: 'badge ' + statusClass(d.fresh.status) }, d.fresh.status)],
        ['max loaded at', d.fresh.max_loaded_at],
        ['checked at', d.fresh.snapshotted_at],
        ['age', d.fresh.max_loaded_at_time_ago_in_s ? humanAge(d.fresh.max_loaded_at_time_ago_in_s) : null],
        ['error', d.fresh.error]
      ]));
    }

    if (d.tests && d.tests.length) {
      p.appendChild(h('h2', null, 'Tests'));
      p.appendChild(h('p', null, d.tests.map(testChip)));
    }

    var ups = parents(i), downs = [], tests = [];
    children(i).forEach(function (c) { (kinds[c] === KIND_TEST ? tests : downs).push(c); });
    p.appendChild(h('h2', null, 'Depends on (' + ups.length + ')'));
    p.appendChild(linkList(ups));
    p.appendChild(h('h2', null, 'Referenced by (' + downs.length + ')'));
    p.appendChild(linkList(downs));

    if (d.sql || d.raw) {
      p.appendChild(h('h2', { id: 'sql' }, 'SQL'));
      var pre = h('pre', { cls: 'sql' });
      var tabs = h('div', { cls: 'tabs' });
      var show = function (which) {
        pre.innerHTML = highlight(which === 'compiled' ? d.sql : d.raw, which === 'source');
        Array.prototype.forEach.call(tabs.children, function (b) { b.classList.toggle('on', b.getAttribute('data-w') === which); });
      };
      if (d.sql) tabs.appendChild(h('button', { 'data-w': 'compiled', onclick: function () { show('compiled'); } }, 'Compiled'));
      if (d.raw) tabs.appendChild(h('button', { 'data-w': 'source', onclick: function () { show('source'); } }, 'Source'));
      p.appendChild(tabs);
      p.appendChild(pre);
      show(d.sql ? 'compiled' : 'source');
    }
  }

  function humanAge(s) {
    if (s < 120) return Math.round(s) + ' s';
    if (s < 7200) return Math.round(s / 60) + ' min';
    if (s < 172800) return Math.round(s / 3600) + ' h';
    return Math.round(s / 86400) + ' days';
  }

  function testChip(t) {
    var cls = 'test ' + (t.status ? statusClass(t.status) : (t.warn ? 'warn' : ''));
    var title = t.name + (t.warn ? ' (severity warn)' : '') + (t.status ? ' — last run: ' + t.status + (t.failures ? ', ' + t.failures + ' failing rows' : '') : '');
    return h('span', { cls: cls, title: title }, t.label);
  }

  function linkList(idx) {
    if (!idx.length) return h('p', { cls: 'muted' }, 'None.');
    var sorted = Array.prototype.slice.call(idx).sort(function (a, b) { return names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0; });
    var shown = sorted.slice(0, 500);
    var ul = h('ul', { cls: 'links' }, shown.map(function (j) {
      return h('li', null, nodeLink(j), ' ', h('span', { cls: 'muted' }, kindName(j)));
    }));
    if (sorted.length > shown.length) return h('div', null, ul, h('p', { cls: 'muted' }, 'and ' + (sorted.length - shown.length) + ' more (open the lineage graph).'));
    return ul;
  }

  function colRef(r) {
    // r = [node, column, kind]
    return h('span', { cls: 'from' }, h('span', { cls: 'lk ' + r[2], title: r[2] }, r[2]), nodeLink(r[0], names[r[0]] + '.' + r[1]));
  }

  function renderColumns(p, i, d) {
    var cols = d.cols || [];
    p.appendChild(h('h2', null, 'Columns (' + cols.length + ')'));
    if (d.lerr) p.appendChild(h('p', { cls: 'muted' }, 'Column lineage: ' + d.lerr));
    if (!cols.length) {
      p.appendChild(h('p', { cls: 'muted' }, 'No columns known: build the node or document its columns.'));
      return;
    }
    var table = h('table', { cls: 'cols' }, h('tr', null, h('th', null, 'Column'), h('th', null, 'Type'), h('th', null, 'Description'), h('th', null, 'Tests'), h('th', null, 'Lineage')));
    cols.forEach(function (c) {
      var lin = [];
      // The column's kind is its one edge's kind when it reads one column.
      if (c.k && (!c.from || c.from.length !== 1)) lin.push(h('span', { cls: 'lk ' + c.k, title: 'how this column is computed' }, c.k));
      (c.from || []).slice(0, 8).forEach(function (r) { lin.push(h('div', null, '← ', colRef(r))); });
      if (c.from && c.from.length > 8) lin.push(h('div', { cls: 'muted' }, '… ' + (c.from.length - 8) + ' more'));
      if (c.to && c.to.length) lin.push(h('div', { cls: 'muted' }, '→ read by ' + c.to.length + ' column' + (c.to.length > 1 ? 's' : '')));
      var colHref = '#!/graph?focus=' + encodeURIComponent(nodeId(i)) + '&col=' + encodeURIComponent(c.name) + '&up=8&down=8';
      table.appendChild(h('tr', null,
        h('td', { cls: 'name' }, h('a', { href: colHref, title: 'column lineage of ' + c.name }, c.name)),
        h('td', { cls: 'type' }, c.type || ''),
        h('td', { cls: 'desc', html: c.desc || '' }),
        h('td', null, (c.tests || []).map(testChip)),
        h('td', null, lin)));
    });
    p.appendChild(table);
  }

  // ----------------------------------------------------------- highlighting

  var KEYWORDS = new Set(('select from where and or not as on in is null join left right inner outer full cross group by order having limit offset ' +
    'with recursive union all distinct case when then else end cast over partition asc desc true false between like ilike exists into values ' +
    'insert update delete merge create replace table view using natural lateral qualify window rows range preceding following current row ' +
    'unbounded interval except intersect nulls first last filter within').split(' '));
  var TOKEN = /(--[^\n]*|\/\*[\s\S]*?\*\/|\{#[\s\S]*?#\})|('(?:[^']|'')*'?)|("(?:[^"]|"")*"?)|(\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\})|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_$]*)/g;

  function highlight(sql, jinja) {
    if (!sql) return '';
    var out = '', last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(sql)) !== null) {
      out += esc(sql.slice(last, m.index));
      last = TOKEN.lastIndex;
      var cls = '';
      if (m[1]) cls = m[1].charAt(0) === '{' ? 'jinja' : 'com';
      else if (m[2]) cls = 'str';
      else if (m[3]) cls = 'qid';
      else if (m[4]) cls = jinja ? 'jinja' : '';
      else if (m[5]) cls = 'num';
      else if (m[6] && KEYWORDS.has(m[6].toLowerCase())) cls = 'kw';
      out += cls ? '<span class="' + cls + '">' + esc(m[0]) + '</span>' : esc(m[0]);
      if (m[0].length === 0) TOKEN.lastIndex++;
    }
    return out + esc(sql.slice(last));
  }

  // -------------------------------------------------------------- selectors

  // select evaluates dbt's selection syntax over the index and returns a
  // mask of the selected nodes: space-separated criteria are a union,
  // comma-separated ones an intersection; [@][N+][method:]value[+N].
  var SPEC = /^(@)?(?:(\d*)\+)?(?:([\w.]+):)?(.*?)(?:\+(\d*))?$/;
  var METHODS = ['fqn', 'tag', 'path', 'file', 'package', 'config', 'source', 'resource_type', 'test_type', 'result'];

  function select(expr) {
    var out = new Uint8Array(N);
    expr.trim().split(/\s+/).forEach(function (part) {
      if (!part) return;
      var acc = null;
      part.split(',').forEach(function (raw) {
        if (!raw) throw new Error('empty criterion between commas in "' + part + '"');
        var m = criterion(raw);
        if (!acc) acc = m;
        else for (var i = 0; i < N; i++) acc[i] = acc[i] & m[i];
      });
      for (var i = 0; i < N; i++) out[i] |= acc[i];
    });
    return out;
  }

  function criterion(raw) {
    var m = SPEC.exec(raw);
    if (!m) throw new Error('"' + raw + '" does not follow [@][N+][method:]value[+N]');
    var at = !!m[1], ups = m[2] !== undefined, upDepth = m[2] ? +m[2] : -1;
    var downs = m[5] !== undefined, downDepth = m[5] ? +m[5] : -1;
    var method = m[3], value = m[4];
    if (!value) throw new Error('"' + raw + '" has no value');
    if (at && (ups || downs)) throw new Error('"' + raw + '": @ cannot be combined with + operators');
    var args = [];
    if (!method) method = /[\/\\]/.test(value) ? 'path' : /\.(sql|csv|py)$/i.test(value) ? 'file' : 'fqn';
    else if (method.indexOf('.') >= 0) {
      args = method.split('.').slice(1);
      method = method.split('.')[0];
    }
    var base = match(method, args, value, raw);
    var out = base.slice();
    var seeds = [];
    for (var i = 0; i < N; i++) if (base[i]) seeds.push(i);
    if (at) {
      var down = walk(seeds, -1, children);
      down.forEach(function (j) { out[j] = 1; });
      var all = [];
      for (i = 0; i < N; i++) if (out[i]) all.push(i);
      walk(all, -1, parents).forEach(function (j) { out[j] = 1; });
    } else {
      if (ups) walk(seeds, upDepth, parents).forEach(function (j) { out[j] = 1; });
      if (downs) walk(seeds, downDepth, children).forEach(function (j) { out[j] = 1; });
    }
    return out;
  }

  // walk returns the nodes reached from start through next(), up to depth
  // hops (-1: all), start excluded.
  function walk(start, depth, next) {
    var seen = new Uint8Array(N), out = [], frontier = start.slice();
    start.forEach(function (s) { seen[s] = 1; });
    for (var d = 0; frontier.length && (depth < 0 || d < depth); d++) {
      var nf = [];
      for (var k = 0; k < frontier.length; k++) {
        var ns = next(frontier[k]);
        for (var j = 0; j < ns.length; j++) {
          var x = ns[j];
          if (!seen[x]) { seen[x] = 1; out.push(x); nf.push(x); }
        }
      }
      frontier = nf;
    }
    return out;
  }

  function glob(pattern) {
    var re = '';
    for (var i = 0; i < pattern.length; i++) {
      var c = pattern.charAt(i);
      if (c === '*') re += '.*';
      else if (c === '?') re += '.';
      else if (c === '[') {
        var j = pattern.indexOf(']', i + 1);
        if (j > i) { re += '[' + pattern.slice(i + 1, j).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']'; i = j; }
        else re += '\\[';
      } else re += c.replace(/[.+^${}()|\\\/]/g, '\\$&');
    }
    return new RegExp('^' + re + '$');
  }

  function hasWildcard(s) { return /[*?\[]/.test(s); }

  function fqnOf(i) {
    var dir = D.folders[folderOf[i]] || '';
    var parts = kinds[i] === KIND_SOURCE ? [] : dir.split('/').slice(1).filter(Boolean);
    return [D.packages[D.n.pkg[i]]].concat(parts, kinds[i] === KIND_SOURCE ? names[i].split('.') : [names[i]]);
  }

  function fqnMatch(sel) {
    var parts = sel.split('.');
    var nameRe = parts.length === 1 && hasWildcard(sel) ? glob(sel) : null;
    return function (i) {
      if (kinds[i] === KIND_SOURCE) return false;
      if (names[i] === sel || (nameRe && nameRe.test(names[i]))) return true;
      var f = fqnOf(i);
      return fqnPrefix(f, parts) || fqnPrefix(f.slice(1), parts);
    };
  }

  function fqnPrefix(fqn, parts) {
    if (!fqn.length) return false;
    for (var i = 0; i < parts.length; i++) {
      if (hasWildcard(parts[i])) return glob(parts.slice(i).join('.')).test(fqn.slice(i).join('.'));
      if (i >= fqn.length || fqn[i] !== parts[i]) return false;
    }
    return true;
  }

  function match(method, args, v, raw) {
    var pred, re;
    switch (method) {
      case 'fqn': pred = fqnMatch(v); break;
      case 'tag':
        re = glob(v);
        pred = function (i) { return tagsOf(i).some(function (t) { return re.test(t); }); };
        break;
      case 'path':
        var dir = v.replace(/\/+$/, '');
        re = glob(v);
        pred = function (i) { var p = nodePath(i); return p === dir || p.indexOf(dir + '/') === 0 || re.test(p); };
        break;
      case 'file':
        re = glob(v);
        pred = function (i) { var b = nodePath(i).split('/').pop(); return re.test(b) || re.test(b.replace(/\.[^.]*$/, '')); };
        break;
      case 'package':
        re = glob(v === 'this' ? D.project.name : v);
        pred = function (i) { return re.test(D.packages[D.n.pkg[i]]); };
        break;
      case 'config':
        if (args.join('.') !== 'materialized') throw new Error('"' + raw + '": the site selects config.materialized only; use the CLI for other config keys');
        re = glob(v);
        pred = function (i) { return re.test(D.mats[D.n.mat[i]] || ''); };
        break;
      case 'source':
        var sp = v.split('.');
        var src = glob(sp.length === 3 ? sp[1] : sp[0]), tbl = glob(sp.length >= 2 ? sp[sp.length - 1] : '*');
        pred = function (i) {
          if (kinds[i] !== KIND_SOURCE) return false;
          var dot = names[i].indexOf('.');
          return src.test(names[i].slice(0, dot)) && tbl.test(names[i].slice(dot + 1));
        };
        break;
      case 'resource_type':
        if (D.kinds.indexOf(v) < 0) throw new Error('"' + raw + '": unknown resource type; valid: ' + D.kinds.join(', '));
        pred = function (i) { return kindName(i) === v; };
        break;
      case 'test_type':
        var generic = v === 'generic' || v === 'schema' ? 1 : v === 'singular' || v === 'data' ? 0 : -1;
        if (generic < 0) throw new Error('"' + raw + '": unknown test type; valid: generic, singular');
        pred = function (i) { return i >= FIRST_TEST && D.tests[i - FIRST_TEST][3] === generic; };
        break;
      case 'result':
        pred = function (i) { return statusOf[i] === v; };
        break;
      case 'state':
        throw new Error('"' + raw + '": state: compares with another manifest; use `strata ls --select state:… --state DIR`');
      default:
        throw new Error('"' + raw + '": unknown selector method "' + method + '"; valid methods: ' + METHODS.join(', '));
    }
    var out = new Uint8Array(N);
    for (var i = 0; i < N; i++) if (pred(i)) out[i] = 1;
    return out;
  }

  // ------------------------------------------------------------------ graph

  function showGraph(params) {
    markCurrent(-1);
    main.textContent = '';
    main.className = 'graph';
    var focusId = params.get('focus') || '';
    var focus = focusId ? indexOfId(focusId) : -1;
    var col = params.get('col') || '';
    var up = clampInt(params.get('up'), 2), down = clampInt(params.get('down'), 2);
    var selectText = params.get('select') || '', excludeText = params.get('exclude') || '';
    var withTests = params.get('tests') === '1';
    if (focus >= 0 && !selectText && !col) selectText = (up ? up + '+' : '') + selectorName(focus) + (down ? '+' + down : '');

    var selIn = h('input', { type: 'text', id: 'gselect', value: selectText, placeholder: 'select: +fct_orders, tag:nightly, path:models/marts', 'aria-label': 'select' });
    var excIn = h('input', { type: 'text', id: 'gexclude', value: excludeText, placeholder: 'exclude', 'aria-label': 'exclude' });
    var upIn = h('input', { type: 'number', min: '0', max: '20', value: String(up), title: 'upstream depth' });
    var downIn = h('input', { type: 'number', min: '0', max: '20', value: String(down), title: 'downstream depth' });
    var testsIn = h('input', { type: 'checkbox', id: 'gtests' });
    testsIn.checked = withTests;
    var apply = function () {
      var q = new URLSearchParams();
      if (col && focus >= 0) {
        q.set('focus', focusId); q.set('col', col); q.set('up', upIn.value); q.set('down', downIn.value);
      } else if (focus >= 0 && selIn.value === selectText && !excIn.value) {
        q.set('focus', focusId); q.set('up', upIn.value); q.set('down', downIn.value);
      } else {
        if (selIn.value) q.set('select', selIn.value);
        if (excIn.value) q.set('exclude', excIn.value);
      }
      if (testsIn.checked) q.set('tests', '1');
      go('#!/graph?' + q.toString());
    };
    [selIn, excIn, upIn, downIn].forEach(function (el) { el.addEventListener('keydown', function (e) { if (e.key === 'Enter') apply(); }); });
    testsIn.addEventListener('change', apply);
    var bar = h('div', { cls: 'gbar' },
      col ? h('strong', null, 'Column lineage of ', nodeLink(focus, names[focus] + '.' + col)) : [h('label', null, 'select '), selIn, h('label', null, 'exclude '), excIn],
      focus >= 0 ? [h('label', null, 'upstream '), upIn, h('label', null, 'downstream '), downIn] : null,
      col ? null : h('label', null, testsIn, ' tests'),
      h('button', { cls: 'btn', onclick: apply }, 'Apply'),
      h('span', { cls: 'legend' }, ['source', 'seed', 'model', 'snapshot', 'test', 'exposure'].map(function (k) { return h('span', { cls: 'k-' + k }, k); })));
    var canvas = h('div', { id: 'canvas' });
    main.appendChild(bar);
    main.appendChild(canvas);

    if (col && focus >= 0) {
      columnGraph(canvas, focus, col, up, down);
      return;
    }
    if (!selectText) {
      canvas.appendChild(h('div', { cls: 'gmsg' }, 'Type a selector (e.g. +fct_orders, tag:nightly, 2+stg_users+1) and press Enter, or open a node and click "Lineage graph".'));
      return;
    }
    var mask;
    try {
      if (focus >= 0 && !params.get('select')) {
        mask = new Uint8Array(N);
        mask[focus] = 1;
        walk([focus], up, parents).forEach(function (j) { mask[j] = 1; });
        walk([focus], down, children).forEach(function (j) { mask[j] = 1; });
      } else {
        mask = select(selectText);
      }
      if (excludeText) {
        var ex = select(excludeText);
        for (var i = 0; i < N; i++) if (ex[i]) mask[i] = 0;
      }
    } catch (err) {
      canvas.appendChild(h('div', { cls: 'gmsg err' }, err.message));
      return;
    }
    var ids = [];
    for (i = 0; i < N; i++) {
      if (!mask[i]) continue;
      if (kinds[i] === KIND_TEST && !withTests) continue;
      ids.push(i);
    }
    if (withTests) {
      // A test comes with the nodes it tests (eager, as dbt selects them).
      var inSet = new Uint8Array(N);
      ids.forEach(function (j) { inSet[j] = 1; });
      ids.slice().forEach(function (j) {
        children(j).forEach(function (c) { if (kinds[c] === KIND_TEST && !inSet[c]) { inSet[c] = 1; ids.push(c); } });
      });
    }
    var total = ids.length;
    if (total > GRAPH_CAP) {
      if (focus >= 0) {
        // Keep the nearest nodes to the focus.
        var order = [focus].concat(walkBoth(focus, mask));
        ids = order.slice(0, GRAPH_CAP);
      } else {
        ids = ids.slice(0, GRAPH_CAP);
      }
    }
    var at = new Map();
    ids.forEach(function (j, k) { at.set(j, k); });
    var nodes = ids.map(function (j) {
      return { label: names[j], sub: kindName(j), cls: 'k-' + kindName(j) + (j === focus ? ' focus' : '') + (/error|fail/.test(statusOf[j] || '') ? ' bad' : ''), href: href(j), title: nodeId(j) + (statusOf[j] ? ' — ' + statusOf[j] : '') };
    });
    var edges = [];
    ids.forEach(function (j, k) {
      parents(j).forEach(function (p) { if (at.has(p)) edges.push([at.get(p), k, '']); });
    });
    var msg = total.toLocaleString() + ' node' + (total === 1 ? '' : 's') + (total > ids.length ? ', showing the ' + ids.length + (focus >= 0 ? ' nearest' : ' first') + ': narrow the selection' : '');
    drawGraph(canvas, nodes, edges, focus >= 0 ? at.get(focus) : -1, msg);
  }

  function clampInt(v, def) {
    var n = parseInt(v, 10);
    if (isNaN(n)) return def;
    return Math.max(0, Math.min(20, n));
  }

  // selectorName is how a selector names node i.
  function selectorName(i) {
    if (kinds[i] === KIND_SOURCE) return 'source:' + names[i];
    return names[i];
  }

  // walkBoth lists the nodes of mask by distance from i, in both directions.
  function walkBoth(i, mask) {
    var seen = new Uint8Array(N), out = [], frontier = [i];
    seen[i] = 1;
    while (frontier.length) {
      var nf = [];
      frontier.forEach(function (x) {
        var both = Array.prototype.slice.call(parents(x)).concat(Array.prototype.slice.call(children(x)));
        both.forEach(function (y) {
          if (!seen[y] && mask[y]) { seen[y] = 1; out.push(y); nf.push(y); }
        });
      });
      frontier = nf;
    }
    return out;
  }

  // columnGraph draws the columns one column reads and is read by, loading
  // the details of every node on the way.
  function columnGraph(canvas, focus, col, up, down) {
    var token = routeToken;
    canvas.appendChild(h('div', { cls: 'gmsg' }, 'Tracing ' + names[focus] + '.' + col + '…'));
    var keyOf = function (i, c) { return i + '\u0000' + c.toLowerCase(); };
    var nodes = [], at = new Map(), edges = [], edgeSet = new Set(), truncated = false;
    var addNode = function (i, c) {
      var k = keyOf(i, c);
      if (at.has(k)) return at.get(k);
      if (nodes.length >= COLUMN_CAP) { truncated = true; return -1; }
      at.set(k, nodes.length);
      nodes.push({ label: names[i] + '.' + c, sub: kindName(i), cls: 'col k-' + kindName(i) + (i === focus && c.toLowerCase() === col.toLowerCase() ? ' focus' : ''), href: href(i), title: nodeId(i) + '.' + c });
      return nodes.length - 1;
    };
    var addEdge = function (a, b, kind) {
      if (a < 0 || b < 0) return;
      var k = a + '>' + b;
      if (edgeSet.has(k)) return;
      edgeSet.add(k);
      edges.push([a, b, kind]);
    };
    var findCol = function (d, c) {
      var cs = (d && d.cols) || [];
      for (var k = 0; k < cs.length; k++) if (cs[k].name.toLowerCase() === c.toLowerCase()) return cs[k];
      return null;
    };
    var start = addNode(focus, col);
    var trace = function (frontier, depth, dir) {
      if (!frontier.length || depth <= 0 || truncated) return Promise.resolve();
      return Promise.all(frontier.map(function (f) {
        return f.i < FIRST_TEST ? detail(f.i).then(function (d) { return { f: f, c: findCol(d, f.c) }; }) : Promise.resolve({ f: f, c: null });
      })).then(function (res) {
        var next = [];
        res.forEach(function (r) {
          if (!r.c) return;
          var list = dir === 'up' ? r.c.from : r.c.to;
          (list || []).forEach(function (e) {
            var known = at.has(keyOf(e[0], e[1]));
            var k = addNode(e[0], e[1]);
            if (dir === 'up') addEdge(k, r.f.k, e[2]); else addEdge(r.f.k, k, e[2]);
            if (!known && k >= 0) next.push({ i: e[0], c: e[1], k: k });
          });
        });
        return trace(next, depth - 1, dir);
      });
    };
    trace([{ i: focus, c: col, k: start }], up, 'up').then(function () {
      return trace([{ i: focus, c: col, k: start }], down, 'down');
    }).then(function () {
      if (token !== routeToken) return;
      canvas.textContent = '';
      var msg = nodes.length + ' column' + (nodes.length === 1 ? '' : 's') + (truncated ? ' (stopped at ' + COLUMN_CAP + ')' : '') + ' · edges: pass, rename, transform';
      drawGraph(canvas, nodes, edges, start, msg);
    }, function (err) {
      if (token !== routeToken) return;
      canvas.textContent = '';
      canvas.appendChild(h('div', { cls: 'gmsg err' }, err.message));
    });
  }

  // layout places nodes left to right by layer (the longest path from a node
  // with no parent in the graph) and orders each layer by the mean position
  // of its neighbours, a few sweeps each way, to keep edges from crossing.
  function layout(nodes, edges) {
    var n = nodes.length, i, k;
    var ins = [], outs = [];
    for (i = 0; i < n; i++) { ins.push([]); outs.push([]); }
    edges.forEach(function (e) { if (e[0] !== e[1]) { outs[e[0]].push(e[1]); ins[e[1]].push(e[0]); } });
    var indeg = ins.map(function (x) { return x.length; });
    var layer = new Int32Array(n), queue = [], done = 0;
    for (i = 0; i < n; i++) if (!indeg[i]) queue.push(i);
    while (queue.length) {
      var x = queue.shift();
      done++;
      outs[x].forEach(function (y) {
        layer[y] = Math.max(layer[y], layer[x] + 1);
        if (--indeg[y] === 0) queue.push(y);
      });
    }
    var layers = [];
    for (i = 0; i < n; i++) {
      (layers[layer[i]] = layers[layer[i]] || []).push(i);
    }
    layers = layers.filter(Boolean);
    var pos = new Float64Array(n);
    layers.forEach(function (l) {
      l.sort(function (a, b) { return nodes[a].label < nodes[b].label ? -1 : 1; });
      l.forEach(function (v, j) { pos[v] = j; });
    });
    var sweep = function (l, nb) {
      var bary = {};
      l.forEach(function (v) {
        var ns = nb[v];
        bary[v] = ns.length ? ns.reduce(function (s, u) { return s + pos[u]; }, 0) / ns.length : pos[v];
      });
      l.sort(function (a, b) { return bary[a] - bary[b]; });
      l.forEach(function (v, j) { pos[v] = j; });
    };
    for (k = 0; k < 4; k++) {
      for (i = 1; i < layers.length; i++) sweep(layers[i], ins);
      for (i = layers.length - 2; i >= 0; i--) sweep(layers[i], outs);
    }
    var W = 180, H = 30, GX = 48, GY = 12;
    var tallest = layers.reduce(function (m, l) { return Math.max(m, l.length); }, 0);
    var xy = new Array(n);
    layers.forEach(function (l, li) {
      var off = (tallest - l.length) * (H + GY) / 2;
      l.forEach(function (v, j) { xy[v] = { x: li * (W + GX), y: off + j * (H + GY) }; });
    });
    return { xy: xy, w: W, h: H, width: layers.length * (W + GX) - GX, height: tallest * (H + GY) - GY };
  }

  var SVG = 'http://www.w3.org/2000/svg';
  function s(tag, attrs) {
    var el = document.createElementNS(SVG, tag);
    for (var k in attrs) if (attrs[k] != null) el.setAttribute(k, attrs[k]);
    return el;
  }

  // drawGraph draws nodes and edges as SVG with zoom (wheel, buttons) and
  // pan (drag); clicking a node opens it.
  function drawGraph(canvas, nodes, edges, focus, msg) {
    canvas.textContent = '';
    if (!nodes.length) {
      canvas.appendChild(h('div', { cls: 'gmsg' }, 'Nothing selected.'));
      return;
    }
    var L = layout(nodes, edges);
    var svg = s('svg', { role: 'img', 'aria-label': 'lineage graph' });
    var g = s('g', {});
    svg.appendChild(g);
    var edgeEls = [];
    edges.forEach(function (e) {
      var a = L.xy[e[0]], b = L.xy[e[1]];
      var x1 = a.x + L.w, y1 = a.y + L.h / 2, x2 = b.x, y2 = b.y + L.h / 2, mx = (x1 + x2) / 2;
      var p = s('path', { d: 'M' + x1 + ',' + y1 + ' C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + x2 + ',' + y2, 'class': 'ge' + (e[2] ? ' ' + e[2] : '') });
      if (e[2] === 'transform') p.setAttribute('stroke-dasharray', '5 3');
      if (e[2]) p.appendChild(s('title', {})).textContent = e[2];
      g.appendChild(p);
      edgeEls.push({ el: p, a: e[0], b: e[1] });
    });
    nodes.forEach(function (nd, k) {
      var c = L.xy[k];
      var grp = s('g', { 'class': 'gn ' + nd.cls, transform: 'translate(' + c.x + ',' + c.y + ')', 'data-href': nd.href, 'data-label': nd.label });
      grp.appendChild(s('rect', { width: L.w, height: L.h, rx: 6 }));
      var t = s('text', { x: 8, y: 19 });
      t.textContent = nd.label.length > 25 ? nd.label.slice(0, 24) + '…' : nd.label;
      grp.appendChild(t);
      grp.appendChild(s('title', {})).textContent = nd.title || nd.label;
      grp.addEventListener('mouseenter', function () { edgeEls.forEach(function (e) { if (e.a === k || e.b === k) e.el.classList.add('hi'); }); });
      grp.addEventListener('mouseleave', function () { edgeEls.forEach(function (e) { e.el.classList.remove('hi'); }); });
      g.appendChild(grp);
    });
    canvas.appendChild(svg);
    canvas.appendChild(h('div', { cls: 'gmsg' }, msg));

    var view = { x: 0, y: 0, k: 1 };
    var apply = function () { g.setAttribute('transform', 'translate(' + view.x + ',' + view.y + ') scale(' + view.k + ')'); };
    var fit = function () {
      var cw = canvas.clientWidth || 800, ch = canvas.clientHeight || 600;
      view.k = Math.max(0.15, Math.min(1.2, Math.min((cw - 40) / (L.width || 1), (ch - 40) / (L.height || 1))));
      view.x = (cw - L.width * view.k) / 2;
      view.y = (ch - L.height * view.k) / 2;
      apply();
    };
    var zoom = function (factor, px, py) {
      var k = Math.max(0.05, Math.min(4, view.k * factor));
      view.x = px - (px - view.x) * k / view.k;
      view.y = py - (py - view.y) * k / view.k;
      view.k = k;
      apply();
    };
    fit();
    canvas.addEventListener('wheel', function (e) {
      e.preventDefault();
      var r = canvas.getBoundingClientRect();
      zoom(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    var drag = null;
    canvas.addEventListener('pointerdown', function (e) {
      drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false };
    });
    window.addEventListener('pointermove', function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; canvas.classList.add('drag'); }
      if (drag.moved) { view.x = drag.vx + dx; view.y = drag.vy + dy; apply(); }
    });
    window.addEventListener('pointerup', function () {
      if (drag) setTimeout(function () { drag = null; canvas.classList.remove('drag'); }, 0);
    });
    svg.addEventListener('click', function (e) {
      if (drag && drag.moved) return;
      var node = e.target.closest && e.target.closest('.gn');
      if (node) go(node.getAttribute('data-href'));
    });
    var r = canvas.getBoundingClientRect();
    canvas.appendChild(h('div', { cls: 'zoom' },
      h('button', { cls: 'btn', title: 'zoom in', onclick: function () { zoom(1.25, r.width / 2, r.height / 2); } }, '+'),
      h('button', { cls: 'btn', title: 'zoom out', onclick: function () { zoom(0.8, r.width / 2, r.height / 2); } }, '−'),
      h('button', { cls: 'btn', title: 'fit', onclick: fit }, '⤢')));
  }

  // ----------------------------------------------------------------- search

  function terms(q) {
    return (q.toLowerCase().match(/[\p{L}\p{N}_]+/gu) || []).filter(function (t) { return t.length >= 1; });
  }

  function shardKey(t) {
    var two = Array.from(t).slice(0, 2).join('');
    var bytes = new TextEncoder().encode(two);
    var out = '';
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return out;
  }

  var FIELDS = ['SQL', 'description', 'column or tag', 'name'];

  // search finds the nodes matching every term: a name containing it, or an
  // indexed token (name, column, tag, description, SQL) starting with it.
  function search(q) {
    var ts = terms(q);
    if (!ts.length) return Promise.resolve([]);
    return Promise.all(ts.map(function (t) {
      var hits = new Map();
      for (var i = 0; i < N; i++) if (lnames[i].indexOf(t) >= 0) hits.set(i, 3);
      var key = t.length >= 2 ? shardKey(t) : '';
      if (!key || !shardSet.has(key)) return Promise.resolve(hits);
      return load('s/' + key).then(function (shard) {
        for (var tok in shard) {
          if (tok.lastIndexOf(t, 0) !== 0) continue;
          var ps = shard[tok], v = 0;
          for (var k = 0; k < ps.length; k++) {
            v += ps[k];
            var node = v >> 2, field = v & 3;
            var prev = hits.get(node);
            if (prev === undefined || field > prev) hits.set(node, field);
          }
        }
        return hits;
      });
    })).then(function (maps) {
      maps.sort(function (a, b) { return a.size - b.size; });
      var out = [];
      maps[0].forEach(function (f, node) {
        var score = f, best = f;
        for (var k = 1; k < maps.length; k++) {
          var g = maps[k].get(node);
          if (g === undefined) return;
          score += g;
          best = Math.max(best, g);
        }
        out.push({ i: node, score: score, field: best });
      });
      out.sort(function (a, b) {
        return b.score - a.score || (a.i >= FIRST_TEST) - (b.i >= FIRST_TEST) || (names[a.i] < names[b.i] ? -1 : names[a.i] > names[b.i] ? 1 : 0);
      });
      return out;
    });
  }

  function showSearch(q) {
    markCurrent(-1);
    if (searchEl.value !== q) searchEl.value = q;
    var p = page();
    p.appendChild(h('h1', null, 'Search'));
    var summary = h('p', { cls: 'muted' }, 'Searching…');
    p.appendChild(summary);
    var box = h('div', { cls: 'vlist results' });
    p.appendChild(box);
    var token = routeToken;
    search(q).then(function (res) {
      if (token !== routeToken) return;
      summary.textContent = res.length.toLocaleString() + ' result' + (res.length === 1 ? '' : 's') + ' for “' + q + '”' + (res.length ? '' : ' (words of two letters or more match names, columns, tags, descriptions and SQL)');
      var list = new VList(box, 44, function (div, r) {
        var x = res[r], i = x.i;
        div.textContent = '';
        div.appendChild(h('div', null, h('a', { href: href(i) }, names[i]), h('span', { cls: 'badge' }, kindName(i)), h('span', { cls: 'hit' }, 'matched in ' + FIELDS[x.field])));
        div.appendChild(h('div', { cls: 'sub' }, nodePath(i)));
      }, function (r, e) {
        if (!e.target.closest('a')) go(href(res[r].i));
      });
      list.setCount(res.length);
    }, function (err) {
      if (token !== routeToken) return;
      summary.textContent = err.message;
      summary.className = 'err';
    });
  }
})();

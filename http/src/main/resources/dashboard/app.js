// Compactor dashboard: polls the node's JSON endpoints and draws what they say. No libraries, no
// external requests; every value is put on the page as text (never as HTML).
'use strict';

const REFRESH_MS = 1500;
const HISTORY_MS = 5 * 60 * 1000;
const history = [];
let explainTablet = null;
let lastOverview = null;

function authHeader() {
  return sessionStorage.getItem('compactor-auth');
}

async function api(path, options) {
  const headers = { 'X-Compactor-Dashboard': '1' };
  const auth = authHeader();
  if (auth) headers['Authorization'] = auth;
  const res = await fetch(path, Object.assign({ headers, credentials: 'same-origin' }, options || {}));
  if (res.status === 401) {
    showLogin(auth ? 'wrong user or password' : '');
    throw new Error('authentication required');
  }
  return res;
}

async function json(path, options) {
  const res = await api(path, options);
  const body = await res.json();
  if (!res.ok) throw new Error(path + ': ' + (body.msg || res.status));
  return body;
}

function showLogin(error) {
  document.getElementById('login').classList.remove('hidden');
  document.getElementById('main').classList.add('hidden');
  document.getElementById('login-error').textContent = error || '';
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    if (c instanceof Node) td.appendChild(c); else td.textContent = c === undefined || c === null ? '' : String(c);
    tr.appendChild(td);
  }
  return tr;
}

function fill(tableId, rows) {
  const body = document.querySelector('#' + tableId + ' tbody');
  body.replaceChildren(...rows);
}

function duration(ms) {
  if (ms < 0) return '—';
  if (ms < 1000) return ms + ' ms';
  const s = ms / 1000;
  if (s < 120) return s.toFixed(1) + ' s';
  return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
}

function count(n) {
  return Number(n).toLocaleString('en-US');
}

function bar(percent) {
  const wrap = el('span');
  const b = el('span', null, 'bar');
  const fillEl = el('span');
  fillEl.style.width = Math.min(100, percent) + '%';
  b.appendChild(fillEl);
  wrap.appendChild(b);
  wrap.appendChild(el('span', percent.toFixed(1) + ' %', 'pct'));
  return wrap;
}

function renderRunning(running) {
  const rows = running.map(r => {
    const cancel = el('button', 'Cancel', 'cancel');
    cancel.dataset.tablet = r.tablet_id;
    cancel.dataset.type = r.compact_type;
    cancel.addEventListener('click', () => cancelCompaction(r.tablet_id, r.compact_type, cancel));
    const tr = row([r.tablet_id, r.compact_type, r.input_versions, bar(r.percent),
      count(r.rows_read) + ' / ' + count(r.rows_written), count(r.rows_per_second) + ' rows/s',
      duration(r.elapsed_ms), duration(r.eta_ms),
      r.vertical_groups > 0 ? r.vertical_group + ' of ' + r.vertical_groups : 'horizontal', r.thread, cancel]);
    tr.dataset.tablet = r.tablet_id;
    tr.className = 'running-row';
    return tr;
  });
  fill('running', rows);
  document.getElementById('running-empty').classList.toggle('hidden', rows.length > 0);
}

async function cancelCompaction(tablet, type, button) {
  button.disabled = true;
  try {
    const r = await json('/api/compaction/cancel?tablet_id=' + tablet + '&compact_type=' + type + '&by=dashboard',
      { method: 'POST' });
    button.textContent = r.cancelled.length > 0 ? 'Cancelled' : 'Too late';
  } catch (e) {
    button.textContent = 'Failed';
    button.title = e.message;
  }
}

function renderOverview(o, metricsNow) {
  lastOverview = o;
  fill('limits', o.kinds.map(k => row([k.type, k.queued, k.running, k.limit])));
  document.getElementById('permits').textContent = 'permits: ' + count(o.permits_used) + ' of ' + count(o.permits_total)
    + ' in use' + (o.auto_compaction ? '' : ' · auto compaction is DISABLED on this node');
  fill('dirs', o.data_dirs.map(d => row([d.path, d.executing + ' of ' + d.slots])));
  fill('shares', o.tables.map(t => row([t.table_id, t.weight, t.cap === 0 ? 'none' : t.cap, t.running, t.queued])));
  const tablets = (o.tablets || []).map(t => {
    const tr = row([t.tablet_id, t.table_id, t.version_count, t.score]);
    tr.className = 'clickable tablet-row';
    tr.dataset.tablet = t.tablet_id;
    tr.addEventListener('click', () => { explainTablet = t.tablet_id; document.getElementById('explain-id').value = t.tablet_id; refreshExplain(); });
    return tr;
  });
  fill('tablets', tablets);
  const stuck = document.getElementById('stuck');
  stuck.replaceChildren(...o.stuck.map(s => {
    const li = el('li');
    const a = el('a', 'tablet ' + s.tablet_id);
    a.href = '#';
    a.addEventListener('click', ev => { ev.preventDefault(); explainTablet = s.tablet_id; refreshExplain(); });
    li.appendChild(a);
    li.appendChild(el('span', ' — ' + s.reason.toLowerCase() + ': ' + s.detail));
    return li;
  }));
  document.getElementById('stuck-empty').classList.toggle('hidden', o.stuck.length > 0);
  const queued = o.kinds.reduce((n, k) => n + k.queued, 0);
  const running = o.kinds.reduce((n, k) => n + k.running, 0);
  document.getElementById('summary').textContent = o.tablets_total + ' tablets, ' + running + ' compactions running, '
    + queued + ' queued, ' + o.stuck.length + ' stuck';
}

function renderProfiles(id, profiles, withRows) {
  fill(id, profiles.map(p => {
    const status = el('span', p.status, 'status-' + p.status);
    return withRows
      ? row([p.end_time, p.tablet_id, p.compaction_type, status, p.input_version_range, count(p.input_row_num),
          p.cost_time_ms, p.status_msg || (p.cancelled_by ? 'by ' + p.cancelled_by : '')])
      : row([p.end_time, p.tablet_id, p.compaction_type, status, p.status_msg || '']);
  }));
}

function parseMetrics(text) {
  const m = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    const name = line.substring(0, sp);
    const base = name.indexOf('{') >= 0 ? name.substring(0, name.indexOf('{')) : name;
    m[base] = (m[base] || 0) + Number(line.substring(sp + 1));
  }
  return m;
}

function chart(id, points, unit) {
  const svg = document.getElementById(id);
  svg.replaceChildren();
  if (points.length < 2) return;
  const w = 300, h = 90, pad = 14;
  const t0 = points[0][0], t1 = points[points.length - 1][0];
  const max = Math.max(1, ...points.map(p => p[1]));
  const xy = points.map(p => [pad + (w - 2 * pad) * (p[0] - t0) / Math.max(1, t1 - t0), h - pad - (h - 2 * pad) * p[1] / max]);
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', xy.map(p => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' '));
  svg.appendChild(line);
  const label = document.createElementNS('http://www.w3.org/2000/svg', 'text');
  label.setAttribute('x', pad);
  label.setAttribute('y', 9);
  label.textContent = 'max ' + count(Math.round(max)) + unit + ', now ' + count(Math.round(points[points.length - 1][1])) + unit;
  svg.appendChild(label);
}

function renderCharts(metrics) {
  const now = Date.now();
  history.push({ t: now, m: metrics });
  while (history.length > 0 && now - history[0].t > HISTORY_MS) history.shift();
  const versions = history.map(h => [h.t, h.m.compactor_tablet_max_version_count || 0]);
  const rate = (key) => {
    const out = [];
    for (let i = 1; i < history.length; i++) {
      const dt = (history[i].t - history[i - 1].t) / 1000;
      out.push([history[i].t, dt > 0 ? Math.max(0, ((history[i].m[key] || 0) - (history[i - 1].m[key] || 0)) / dt) : 0]);
    }
    return out;
  };
  chart('chart-versions', versions, '');
  chart('chart-compaction', rate('compactor_compaction_rows_total'), ' rows/s');
  chart('chart-load', rate('compactor_load_rows_total'), ' rows/s');
}

async function refreshExplain() {
  const box = document.getElementById('explain');
  if (explainTablet === null) return;
  try {
    const e = await json('/api/compaction/explain?tablet_id=' + explainTablet);
    const parts = [el('h3', 'tablet ' + e.tablet_id + ' (table ' + e.table_id + ', weight ' + e.table_weight
      + (e.table_cap > 0 ? ', cap ' + e.table_cap : '') + ')')];
    if (e.stuck) parts.push(el('p', 'STUCK: ' + e.stuck.detail, 'stuck'));
    parts.push(el('p', e.summary, 'why summary'));
    const t = el('table');
    t.appendChild(row(['kind', 'score', 'state', 'holds it', 'why']));
    for (const k of e.kinds) t.appendChild(row([k.type, k.score, k.state, k.hold, k.why]));
    parts.push(t);
    box.replaceChildren(...parts);
  } catch (err) {
    box.replaceChildren(el('p', err.message, 'error'));
  }
}

async function refresh() {
  try {
    const [running, overview, metricsText, finished, failures] = await Promise.all([
      json('/api/compaction/running'),
      json('/api/compaction/overview'),
      api('/metrics').then(r => r.text()),
      json('/api/compaction/profile?top_n=10'),
      json('/api/compaction/profile?top_n=10&success=false')]);
    renderRunning(running.running);
    renderOverview(overview);
    renderCharts(parseMetrics(metricsText));
    renderProfiles('finished', finished.compaction_profiles, true);
    renderProfiles('failures', failures.compaction_profiles, false);
    document.getElementById('failures-empty').classList.toggle('hidden', failures.compaction_profiles.length > 0);
    await refreshExplain();
    document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById('updated').textContent = 'not updated: ' + e.message;
  }
}

document.getElementById('login-form').addEventListener('submit', ev => {
  ev.preventDefault();
  const user = document.getElementById('login-user').value;
  const password = document.getElementById('login-password').value;
  sessionStorage.setItem('compactor-auth', 'Basic ' + btoa(user + ':' + password));
  document.getElementById('login').classList.add('hidden');
  document.getElementById('main').classList.remove('hidden');
  refresh();
});

document.getElementById('explain-form').addEventListener('submit', ev => {
  ev.preventDefault();
  const v = document.getElementById('explain-id').value.trim();
  if (/^\d+$/.test(v)) { explainTablet = v; refreshExplain(); }
});

refresh();
setInterval(refresh, REFRESH_MS);

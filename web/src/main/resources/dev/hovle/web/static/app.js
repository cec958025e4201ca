// The live page of HoVLE Stream. Everything shown comes from the server as JSON and goes into the page as text
// (textContent, never innerHTML): captions are model output and prompts are user input.
'use strict';

const RESULTS_SHOWN = 48;
const DEAD_LETTERS_SHOWN = 40;
const THROUGHPUT_POINTS = 300;

const state = {
  versions: new Map(),   // "model/version" -> version view
  timeline: [],          // updates, oldest first
  selected: null,        // "model/version" whose detail is open
  outcomes: new Map(),   // "model/version" -> what its rollback said
  throughput: [[], []],  // seconds, results per second
  liveLoss: [[], []],    // trainer step, loss (from the jobs' gauges)
};
let charts = {};

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('data-')) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function ms(value) {
  if (value === null || value === undefined) return '–';
  return value >= 1000 ? (value / 1000).toFixed(1) + ' s' : Math.round(value) + ' ms';
}

function time(millis) {
  return new Date(millis).toLocaleTimeString();
}

// ---- results -------------------------------------------------------------------------------------------------

function resultCard(r) {
  const pictures = el('div', {class: 'pictures'});
  for (const image of r.images) {
    if (image.preview) {
      pictures.append(el('img', {src: '/images/' + encodeURIComponent(image.id), alt: image.id, title: image.id,
        loading: 'lazy'}));
    } else {
      pictures.append(el('div', {class: 'no-picture', title: image.uri || image.id},
        image.uri ? 'stored at ' + image.uri : 'no preview'));
    }
  }
  const verdict = r.verdict
    ? el('span', {class: 'verdict ' + r.verdict, 'data-verdict': r.verdict},
      r.verdict === 'right' ? '✓ right' : '✗ wrong (expected ' + r.expected + ')')
    : null;
  return el('article', {class: 'result', 'data-task': r.task, 'data-request': r.requestId},
    pictures,
    el('div', {class: 'body'},
      el('div', {class: 'meta'}, el('span', {class: 'task'}, r.task), ' ', r.requestId),
      r.question ? el('div', {class: 'question'}, r.question) : null,
      el('div', {class: 'text'}, r.text),
      verdict,
      el('div', {class: 'meta'},
        el('span', {class: 'version-tag'}, r.modelVersion), ' · ', ms(r.latencyMillis), ' end to end · ',
        r.generatedTokens + ' tokens · ' + r.finishReason)));
}

function addResult(r, prepend) {
  const list = document.getElementById('results');
  const card = resultCard(r);
  if (prepend) list.prepend(card); else list.append(card);
  while (list.children.length > RESULTS_SHOWN) list.lastElementChild.remove();
}

// ---- versions ------------------------------------------------------------------------------------------------

function versionKey(v) {
  return v.model + '/' + v.version;
}

function renderTimeline() {
  const list = document.getElementById('timeline');
  list.replaceChildren();
  for (const entry of state.timeline.slice().reverse().slice(0, 60)) {
    const key = entry.model + '/' + entry.version;
    const item = el('li', {class: 'version status-' + entry.status, 'data-status': entry.status,
        'data-version': entry.version, tabIndex: 0},
      el('span', {class: 'badge'}, entry.status), ' ',
      el('strong', {}, entry.version), ' step ' + entry.step + ' · ' + time(entry.time),
      entry.reason ? el('div', {class: 'reason'}, entry.reason) : null);
    item.addEventListener('click', () => { state.selected = key; renderDetail(); });
    item.addEventListener('keydown', e => { if (e.key === 'Enter') { state.selected = key; renderDetail(); } });
    list.append(item);
  }
}

function answersOf(version) {
  const a = (state.answers || []).find(x => x.version === version);
  return el('p', {}, a ? a.answered + ' answers committed' + (a.judged ? ', ' + a.right + '/' + a.judged
    + ' judged right' : '') : 'no answers committed by it yet');
}

function renderDetail() {
  const box = document.getElementById('version-detail');
  const v = state.selected && state.versions.get(state.selected);
  if (!v) { box.hidden = true; return; }
  box.hidden = false;
  const metrics = el('table', {class: 'small-table'});
  for (const [name, value] of Object.entries(v.metrics)) {
    metrics.append(el('tr', {}, el('td', {}, name), el('td', {}, Number(value).toPrecision(4))));
  }
  const typed = document.getElementById('rollback-reason');
  const reason = el('input', {type: 'text', placeholder: 'reason (optional)', maxLength: 500, id: 'rollback-reason',
    value: typed && box.dataset.version === state.selected ? typed.value : ''});
  const button = el('button', {type: 'button', id: 'rollback-button',
    disabled: v.status === 'ROLLED_BACK' || v.status === 'REJECTED'}, 'Roll back ' + v.version);
  const outcome = el('div', {class: 'outcome', id: 'rollback-outcome'}, state.outcomes.get(state.selected) || '');
  button.addEventListener('click', () => rollback(v, reason.value));
  box.dataset.version = state.selected;
  const close = el('button', {type: 'button', class: 'close'}, '×');
  close.addEventListener('click', () => { state.selected = null; renderDetail(); });
  box.replaceChildren(close,
    el('h3', {}, v.version, ' ', el('span', {class: 'badge status-' + v.status}, v.status)),
    el('p', {class: 'muted'}, 'model ' + v.model + ' · parent ' + (v.parent || '–') + ' · ' + v.stage
      + ' · step ' + v.step + ' · ' + v.samplesSeen + ' samples'),
    v.reason ? el('p', {class: 'reason'}, v.reason) : null,
    answersOf(v.version),
    metrics, reason, button, outcome);
}

// The outcome lives in the state: the ROLLED_BACK update this publishes re-renders the detail it is shown in.
function showOutcome(key, message) {
  state.outcomes.set(key, message);
  if (state.selected === key) renderDetail();
}

async function rollback(v, reason) {
  if (!window.confirm('Roll back ' + v.version + ' of ' + v.model + '? Jobs serving it return to '
      + (v.parent || 'its parent') + '.')) return;
  const key = versionKey(v);
  showOutcome(key, 'publishing…');
  try {
    const response = await fetch('/api/rollback', {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-Hovle-Confirm': v.version},
      body: JSON.stringify({model: v.model, version: v.version, reason: reason || null}),
    });
    const text = await response.text();
    let message = text;
    try { message = JSON.parse(text).message; } catch (e) { /* plain text error */ }
    showOutcome(key, message);
  } catch (e) {
    showOutcome(key, 'the rollback did not reach the server: ' + e);
  }
}

function renderAccuracyTable(answers) {
  const table = document.getElementById('accuracy-by-version');
  table.replaceChildren(el('tr', {}, el('th', {}, 'serving version'), el('th', {}, 'answers'),
    el('th', {}, 'judged right'), el('th', {}, 'eval accuracy')));
  const evalAccuracy = new Map([...state.versions.values()].map(v => [v.version, v.metrics.eval_accuracy]));
  for (const a of answers.slice(-12).reverse()) {
    const acc = evalAccuracy.get(a.version);
    table.append(el('tr', {'data-version': a.version}, el('td', {}, a.version), el('td', {}, a.answered),
      el('td', {}, a.judged ? a.right + '/' + a.judged + ' (' + Math.round(100 * a.right / a.judged) + '%)' : '–'),
      el('td', {}, acc === undefined ? '–' : Math.round(100 * acc) + '%')));
  }
}

function onVersion(change) {
  state.versions.set(versionKey(change.version), change.version);
  state.timeline.push(change.entry);
  if (state.timeline.length > 400) state.timeline.shift();
  renderTimeline();
  // Only the open version's detail: re-rendering it would lose a reason being typed.
  if (state.selected === versionKey(change.version)) renderDetail();
  updateTrainingCharts();
}

// ---- dead letters --------------------------------------------------------------------------------------------

function addDeadLetter(d, prepend) {
  const table = document.getElementById('dead-letters');
  const where = d.sourceTopic + (d.partition === null ? '' : '-' + d.partition)
    + (d.offset === null ? '' : '@' + d.offset);
  const row = el('tr', {class: 'dead-letter', 'data-type': d.errorType},
    el('td', {}, time(d.time)), el('td', {}, d.errorType), el('td', {}, d.stage), el('td', {}, where),
    el('td', {}, d.key === null ? '–' : d.key), el('td', {class: 'message'}, d.message));
  if (prepend) table.prepend(row); else table.append(row);
  while (table.children.length > DEAD_LETTERS_SHOWN) table.lastElementChild.remove();
}

// ---- stats and charts ----------------------------------------------------------------------------------------

function renderStats(s) {
  const g = s.gauges || {};
  const pct = v => v === undefined ? '–' : Math.round(100 * v) + '%';
  const num = (v, digits) => v === undefined ? '–' : Number(v).toFixed(digits);
  const items = [
    ['results', s.results], ['per second', s.resultsPerSecond.toFixed(1)],
    ['latency p50 / p95', ms(s.latencyP50Millis) + ' / ' + ms(s.latencyP95Millis)],
    ['serving', s.servingVersion || '–'], ['consumer lag', s.consumerLag === null ? '–' : s.consumerLag],
    ['batch occupancy', pct(g['engine.batchOccupancy'])], ['engine queue', num(g['engine.queueDepth'], 0)],
    ['tokens/s', num(g['generation.tokensPerSecond'], 0)], ['back-pressure', pct(g['source.backPressure'])],
    ['training step', num(g['training.step'], 0)], ['loss', num(g['training.loss'], 3)],
    ['dead letters', s.deadLetters],
  ];
  state.answers = s.answersByVersion;
  renderAccuracyTable(s.answersByVersion);
  const dl = document.getElementById('stats');
  dl.replaceChildren();
  for (const [name, value] of items) {
    dl.append(el('div', {}, el('dt', {}, name), el('dd', {'data-stat': name}, value)));
  }
  const counts = Object.entries(s.deadLettersByType).map(([type, n]) => type + ' ' + n);
  const undecodable = Object.entries(s.undecodable).map(([topic, n]) => n + ' undecodable on ' + topic);
  document.getElementById('dead-letter-counts').textContent =
    counts.concat(undecodable).join(' · ') || 'none so far';

  const [t, rate] = state.throughput;
  t.push(s.time / 1000); rate.push(s.resultsPerSecond);
  if (t.length > THROUGHPUT_POINTS) { t.shift(); rate.shift(); }
  if (g['training.step'] !== undefined && g['training.loss'] !== undefined) {
    const [steps, losses] = state.liveLoss;
    if (steps.length === 0 || steps[steps.length - 1] < g['training.step']) {
      steps.push(g['training.step']); losses.push(g['training.loss']);
      if (steps.length > 2000) { steps.shift(); losses.shift(); }
    }
  }
  if (charts.throughput) charts.throughput.setData(state.throughput);
  updateTrainingCharts();
}

function seriesByStep(metric) {
  const points = new Map();
  for (const v of state.versions.values()) {
    if (v.metrics[metric] !== undefined) points.set(v.step, v.metrics[metric]);
  }
  return [...points.entries()].sort((a, b) => a[0] - b[0]);
}

// uPlot wants one x array shared by all series: merge the steps, leaving gaps (null) where a series has no point.
function aligned(seriesList) {
  const xs = [...new Set(seriesList.flatMap(s => s.map(p => p[0])))].sort((a, b) => a - b);
  return [xs, ...seriesList.map(s => { const m = new Map(s); return xs.map(x => m.has(x) ? m.get(x) : null); })];
}

function updateTrainingCharts() {
  if (!charts.loss) return;
  const live = state.liveLoss[0].map((step, i) => [step, state.liveLoss[1][i]]);
  charts.loss.setData(aligned([live, seriesByStep('train_loss'), seriesByStep('eval_loss')]));
  charts.accuracy.setData(aligned([seriesByStep('eval_accuracy')]));
}

function makeCharts() {
  if (typeof uPlot === 'undefined') return;
  const width = Math.max(280, document.querySelector('aside').clientWidth - 24);
  const stepAxis = {scales: {x: {time: false}}, axes: [{label: 'step'}, {}]};
  charts.loss = new uPlot(Object.assign({title: 'loss', width, height: 170, spanGaps: true,
    series: [{label: 'step'}, {label: 'trainer', stroke: '#999'}, {label: 'train_loss', stroke: '#1f77b4'},
      {label: 'eval_loss', stroke: '#d62728', points: {show: true}}]}, stepAxis), [[], [], [], []],
  document.getElementById('loss-chart'));
  charts.accuracy = new uPlot(Object.assign({title: 'eval accuracy', width, height: 150, spanGaps: true,
    series: [{label: 'step'}, {label: 'eval_accuracy', stroke: '#2ca02c', points: {show: true}}]}, stepAxis),
  [[], []], document.getElementById('accuracy-chart'));
  charts.throughput = new uPlot({title: 'results per second', width, height: 150,
    series: [{}, {label: 'results/s', stroke: '#9467bd'}]}, [[], []],
  document.getElementById('throughput-chart'));
}

// ---- wiring --------------------------------------------------------------------------------------------------

async function loadState() {
  const response = await fetch('/api/state');
  const s = await response.json();
  document.getElementById('results').replaceChildren();
  for (const r of s.results) addResult(r, true);
  state.versions = new Map(s.versions.map(v => [versionKey(v), v]));
  state.timeline = s.timeline;
  document.getElementById('dead-letters').replaceChildren();
  for (const d of s.deadLetters) addDeadLetter(d, true);
  renderTimeline();
  renderDetail();
  renderStats(s.stats);
}

function connect() {
  const connection = document.getElementById('connection');
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => {
    connection.textContent = 'live';
    connection.dataset.state = 'live';
    loadState().catch(e => { connection.textContent = 'state failed: ' + e; });
  });
  events.addEventListener('error', () => {
    connection.textContent = 'reconnecting';
    connection.dataset.state = 'reconnecting';
  });
  events.addEventListener('result', e => addResult(JSON.parse(e.data), true));
  events.addEventListener('version', e => onVersion(JSON.parse(e.data)));
  events.addEventListener('deadletter', e => addDeadLetter(JSON.parse(e.data), true));
  events.addEventListener('stats', e => renderStats(JSON.parse(e.data)));
}

makeCharts();
connect();

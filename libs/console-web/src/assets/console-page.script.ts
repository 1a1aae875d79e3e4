/**
 * The console's browser script: plain ES2020, no framework, no build. It writes every value from
 * the API with `textContent` (management events carry attacker-controlled text), never `innerHTML`.
 * Kept inside a string so the bundled services and the CLI serve it without copying files; it may
 * not contain backticks or dollar-brace sequences.
 */
export const CONSOLE_SCRIPT = String.raw`'use strict';
(function () {
  var BUCKET_MS = 300000;
  var PAGE_SIZE = 100;
  var FILTERS = ['from', 'to', 'region', 'ip', 'state'];
  var view = { listingKey: null, listing: null, detailId: null, eventsLoaded: 0, info: null };

  function byId(id) { return document.getElementById(id); }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        var value = props[key];
        if (value === undefined || value === null) { return; }
        if (key === 'text') { node.textContent = String(value); }
        else if (key === 'className') { node.className = value; }
        else if (key === 'onclick') { node.addEventListener('click', value); }
        else { node.setAttribute(key, String(value)); }
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) { return; }
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function svgEl(tag, attrs, text) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  async function getJson(path) {
    var response = await fetch(path, { headers: { accept: 'application/json' } });
    var body = null;
    try { body = await response.json(); } catch (ignored) { body = null; }
    if (!response.ok) {
      var error = new Error((body && body.message) || ('HTTP ' + response.status));
      error.body = body;
      throw error;
    }
    return body;
  }

  function formatTime(iso) {
    if (!iso) { return ''; }
    return iso.slice(0, 19).replace('T', ' ');
  }

  function formatDuration(seconds) {
    var s = Math.round(seconds);
    if (s < 60) { return s + ' s'; }
    var parts = [];
    var days = Math.floor(s / 86400); s -= days * 86400;
    var hours = Math.floor(s / 3600); s -= hours * 3600;
    var minutes = Math.floor(s / 60);
    if (days) { parts.push(days + ' d'); }
    if (hours) { parts.push(hours + ' h'); }
    if (minutes && !days) { parts.push(minutes + ' min'); }
    return parts.join(' ') || '0 s';
  }

  function formatNumber(value) {
    return typeof value === 'number' ? String(Math.round(value * 100) / 100) : String(value);
  }

  function badge(state) { return el('span', { className: 'badge ' + state, text: state }); }

  function setStatus(text, isError) {
    var status = byId('status');
    status.textContent = text;
    status.className = isError ? 'status error' : 'status';
  }

  function params() { return new URLSearchParams(window.location.search); }

  function navigate(next, replace) {
    var query = next.toString();
    var url = window.location.pathname + (query ? '?' + query : '');
    if (replace) { window.history.replaceState(null, '', url); } else { window.history.pushState(null, '', url); }
    render();
  }

  function ipLink(ip) {
    var link = el('a', { href: '?ip=' + encodeURIComponent(ip), className: 'ip-link mono', text: ip,
      title: 'All insights of ' + ip });
    link.addEventListener('click', function (event) {
      event.preventDefault();
      event.stopPropagation();
      var next = new URLSearchParams();
      next.set('ip', ip);
      navigate(next);
    });
    return link;
  }

  function listingPath(p) {
    var query = new URLSearchParams();
    ['from', 'to', 'region', 'state', 'offset'].forEach(function (key) {
      if (p.get(key)) { query.set(key, p.get(key)); }
    });
    query.set('limit', String(PAGE_SIZE));
    var ip = p.get('ip');
    if (ip && ip.indexOf('/') < 0) {
      return 'api/ips/' + encodeURIComponent(ip) + '/insights?' + query.toString();
    }
    if (ip) { query.set('ip', ip); }
    return 'api/insights?' + query.toString();
  }

  function fillForm(p) {
    var form = byId('filters');
    FILTERS.forEach(function (key) { form.elements[key].value = p.get(key) || ''; });
  }

  function renderRows(listing, selectedId) {
    var body = document.querySelector('#insights tbody');
    body.textContent = '';
    listing.items.forEach(function (item) {
      var open = el('button', { type: 'button', className: 'open', text: formatTime(item.startTime),
        'aria-label': 'Open insight of ' + item.sourceIpAddress + ' starting ' + formatTime(item.startTime) });
      var row = el('tr', { 'data-insight-id': item.insightId,
        'aria-selected': item.insightId === selectedId ? 'true' : 'false' }, [
        el('td', null, [open]),
        el('td', null, [ipLink(item.sourceIpAddress)]),
        el('td', null, [badge(item.state)]),
        el('td', { text: item.region }),
        el('td', { className: 'mono optional', text: item.accountId }),
        el('td', { className: 'num', text: item.eventCount }),
        el('td', { className: 'num optional', text: formatDuration(item.durationSeconds) }),
        el('td', { className: 'num', text: formatNumber(item.heterogeneity) }),
      ]);
      row.addEventListener('click', function (event) {
        if (event.target && event.target.closest && event.target.closest('a')) { return; }
        var next = params();
        next.set('insight', item.insightId);
        navigate(next);
      });
      body.appendChild(row);
    });
    byId('empty').hidden = listing.items.length > 0;
    var regions = byId('regions');
    var known = {};
    Array.prototype.forEach.call(regions.options, function (option) { known[option.value] = true; });
    listing.items.forEach(function (item) {
      if (!known[item.region]) { known[item.region] = true; regions.appendChild(el('option', { value: item.region })); }
    });
    byId('prev-page').hidden = listing.offset === 0;
    byId('next-page').hidden = listing.offset + listing.items.length >= listing.total;
  }

  function describeListing(p, listing) {
    var ip = p.get('ip');
    var onlyIp = ip && FILTERS.every(function (key) { return key === 'ip' || !p.get(key); });
    var heading = !ip ? 'Insights'
      : ip.indexOf('/') >= 0 ? 'Insights in ' + ip
      : (onlyIp ? 'All insights of IP ' : 'Insights of IP ') + ip;
    byId('results-title').textContent = heading;
    var shown = listing.items.length;
    var range = formatTime(listing.from) + ' to ' + (listing.to ? formatTime(listing.to) : 'now') + ' UTC';
    var text = listing.total + (listing.total === 1 ? ' insight' : ' insights') + ', ' + range;
    if (shown < listing.total) {
      text += ' (showing ' + (listing.offset + 1) + '–' + (listing.offset + shown) + ')';
    }
    setStatus(text, false);
  }

  function trendChart(insight) {
    var width = 640, height = 190, left = 40, right = 14, top = 14, bottom = 36;
    var plotW = width - left - right, plotH = height - top - bottom;
    var buckets = insight.buckets || [];
    var t0 = Math.floor(Date.parse(insight.startTime) / BUCKET_MS) * BUCKET_MS;
    var t1 = Math.floor(Date.parse(insight.endTime) / BUCKET_MS) * BUCKET_MS + BUCKET_MS;
    var span = Math.max(t1 - t0, BUCKET_MS);
    var peak = buckets.reduce(function (max, bucket) { return Math.max(max, bucket.count); }, 0);
    var yMax = Math.max(1, peak);
    var peakBucket = buckets.filter(function (bucket) { return bucket.count === peak; })[0];
    var label = 'Operations per 5 minutes: ' + buckets.length + ' active intervals, peak ' + peak +
      (peakBucket ? ' at ' + formatTime(peakBucket.startTime) + ' UTC' : '');
    var svg = svgEl('svg', { viewBox: '0 0 ' + width + ' ' + height, class: 'trend', role: 'img',
      'aria-label': label, 'data-bars': buckets.length });
    svg.appendChild(svgEl('title', {}, label));
    var ticks = yMax >= 4 ? [0, Math.round(yMax / 2), yMax] : [0, yMax];
    ticks.forEach(function (value) {
      var y = top + plotH - value / yMax * plotH;
      svg.appendChild(svgEl('line', { x1: left, x2: width - right, y1: y, y2: y, class: 'grid' }));
      svg.appendChild(svgEl('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, String(value)));
    });
    var slot = plotW * BUCKET_MS / span;
    var barW = Math.max(1.5, slot * 0.85);
    buckets.forEach(function (bucket) {
      var start = Date.parse(bucket.startTime);
      var x = left + (start - t0) / span * plotW + (slot - barW) / 2;
      var h = Math.max(1, bucket.count / yMax * plotH);
      var rect = svgEl('rect', { class: 'bar', x: x.toFixed(2), y: (top + plotH - h).toFixed(2),
        width: barW.toFixed(2), height: h.toFixed(2) });
      rect.appendChild(svgEl('title', {}, formatTime(bucket.startTime) + ' UTC: ' + bucket.count + ' operations'));
      svg.appendChild(rect);
    });
    var sameDay = insight.startTime.slice(0, 10) === insight.endTime.slice(0, 10);
    function axisLabel(ms) {
      var iso = new Date(ms).toISOString();
      return sameDay ? iso.slice(11, 16) : iso.slice(0, 10) + ' ' + iso.slice(11, 16);
    }
    svg.appendChild(svgEl('text', { x: left, y: height - 14, 'text-anchor': 'start' }, axisLabel(t0)));
    svg.appendChild(svgEl('text', { x: width - right, y: height - 14, 'text-anchor': 'end' }, axisLabel(t1)));
    if (sameDay) {
      svg.appendChild(svgEl('text', { x: left + plotW / 2, y: height - 14, 'text-anchor': 'middle' },
        insight.startTime.slice(0, 10) + ' UTC'));
    }
    return el('figure', { id: 'trend' }, [svg,
      el('figcaption', { text: 'Operations per 5 minutes (UTC); hover a bar for its count.' })]);
  }

  function jsonBlock(title, value, open) {
    var details = el('details', open ? { open: '' } : null, [
      el('summary', { text: title }),
      el('pre', { className: 'json', text: JSON.stringify(value, null, 2) }),
    ]);
    return details;
  }

  function eventRecord(raw) {
    if (raw && typeof raw.event === 'string') {
      try { return JSON.parse(raw.event); } catch (ignored) { return raw; }
    }
    return raw || {};
  }

  function eventTitle(raw) {
    var record = eventRecord(raw);
    var parts = [record.eventTime, record.eventName, record.eventId || record.eventID];
    return parts.filter(function (part) { return typeof part === 'string' && part; }).join(' · ') || 'event';
  }

  function fact(list, term, value) {
    list.appendChild(el('dt', { text: term }));
    list.appendChild(el('dd', null, [typeof value === 'string' ? document.createTextNode(value) : value]));
  }

  function renderDetail(detail) {
    var pane = byId('detail');
    pane.textContent = '';
    var close = el('button', { type: 'button', id: 'close-detail', 'aria-label': 'Close insight details', text: 'Close' });
    close.addEventListener('click', function () {
      var next = params();
      next.delete('insight');
      navigate(next);
    });
    var title = el('h2', { id: 'detail-title', tabindex: '-1' }, [detail.insightType + ' · ' + detail.sourceIpAddress]);
    pane.appendChild(el('div', { className: 'detail-head' }, [title, close]));
    var facts = el('dl', { className: 'facts' });
    fact(facts, 'State', badge(detail.state));
    fact(facts, 'Type', detail.insightType);
    fact(facts, 'IP', ipLink(detail.sourceIpAddress));
    fact(facts, 'Insight id', el('code', { className: 'insight-id', text: detail.insightId }));
    fact(facts, 'Account', detail.accountId);
    fact(facts, 'Region', detail.region);
    fact(facts, 'Start', formatTime(detail.startTime) + ' UTC');
    fact(facts, 'Duration', formatDuration(detail.durationSeconds) + ' (last operation ' + formatTime(detail.endTime) + ' UTC)');
    fact(facts, detail.state === 'provisional' ? 'Verdict due' : 'Verdict', formatTime(detail.verdictTime) + ' UTC');
    fact(facts, 'Operations', String(detail.eventCount));
    fact(facts, 'Heterogeneity', formatNumber(detail.heterogeneity) + ' (predicted ' + formatNumber(detail.predictedValue) +
      ', threshold ' + formatNumber(detail.threshold) + ')');
    if (detail.insight.signals && detail.insight.signals.length) {
      fact(facts, 'Signals', detail.insight.signals.join(', '));
    }
    pane.appendChild(facts);
    pane.appendChild(el('h3', { text: 'Trend' }));
    pane.appendChild(trendChart(detail.insight));

    pane.appendChild(el('h3', { id: 'events-title', text: 'Management events' }));
    pane.appendChild(el('p', { id: 'events-note', className: 'note' }));
    pane.appendChild(el('div', { id: 'events' }));
    var more = el('button', { type: 'button', id: 'more-events', text: 'Load more events', hidden: '' });
    more.addEventListener('click', function () { loadEvents(detail.insightId, view.eventsLoaded); });
    pane.appendChild(more);

    pane.appendChild(el('h3', { text: 'Insight events (' + detail.insightEvents.length + ')' }));
    var insightEvents = el('div', { id: 'insight-events' });
    if (detail.insightEvents.length === 0) {
      insightEvents.appendChild(el('p', { className: 'note', text: detail.state === 'provisional'
        ? 'Delivered at the verdict (' + formatTime(detail.verdictTime) + ' UTC); the counts above are running counts.'
        : detail.state === 'dismissed' ? 'None: the IP became usual before the verdict.' : 'None stored.' }));
    }
    detail.insightEvents.forEach(function (event, index) {
      var d = event.insightDetails || {};
      var stats = (d.insightContext && d.insightContext.statistics) || {};
      var title = [d.state, event.eventTime, stats.insight !== undefined ? stats.insight + (stats.insight === 1 ? ' operation' : ' operations') : null]
        .filter(Boolean).join(' · ');
      insightEvents.appendChild(jsonBlock(title || ('insight event ' + (index + 1)), event, index === 0));
    });
    pane.appendChild(insightEvents);
    pane.appendChild(el('h3', { text: 'IPInsight record' }));
    pane.appendChild(jsonBlock('IPInsight JSON', detail.insight, false));
    pane.hidden = false;
    document.querySelector('.layout').classList.add('with-detail');
  }

  async function loadEvents(insightId, offset) {
    var page;
    try {
      page = await getJson('api/insights/' + encodeURIComponent(insightId) + '/events?offset=' + offset + '&limit=' + PAGE_SIZE);
    } catch (error) {
      byId('events-note').textContent = 'Could not load management events: ' + error.message;
      return;
    }
    if (view.detailId !== insightId) { return; }
    var list = byId('events');
    page.events.forEach(function (raw, index) {
      list.appendChild(jsonBlock(eventTitle(raw), raw, offset === 0 && index === 0));
    });
    view.eventsLoaded = offset + page.events.length;
    var note = view.eventsLoaded + ' of ' + page.total + ' stored events shown';
    if (page.total < page.eventCount) { note += ' (the insight has ' + page.eventCount + ' operations; the store keeps the first ' + page.total + ')'; }
    byId('events-title').textContent = 'Management events (' + page.total + ')';
    byId('events-note').textContent = note;
    byId('more-events').hidden = view.eventsLoaded >= page.total;
  }

  async function loadDetail(insightId, focus) {
    view.detailId = insightId;
    view.eventsLoaded = 0;
    var detail;
    try {
      detail = await getJson('api/insights/' + encodeURIComponent(insightId));
    } catch (error) {
      setStatus('Could not open insight ' + insightId + ': ' + error.message, true);
      return;
    }
    if (view.detailId !== insightId) { return; }
    renderDetail(detail);
    if (focus) { byId('detail-title').focus(); }
    await loadEvents(insightId, 0);
  }

  function hideDetail() {
    view.detailId = null;
    var pane = byId('detail');
    pane.hidden = true;
    pane.textContent = '';
    document.querySelector('.layout').classList.remove('with-detail');
  }

  async function render() {
    var p = params();
    fillForm(p);
    var listingParams = new URLSearchParams(p);
    listingParams.delete('insight');
    var key = listingParams.toString();
    if (key !== view.listingKey) {
      view.listingKey = key;
      setStatus('Loading…', false);
      try {
        view.listing = await getJson(listingPath(p));
        describeListing(p, view.listing);
      } catch (error) {
        view.listing = { items: [], total: 0, offset: 0 };
        setStatus(error.message, true);
      }
    }
    renderRows(view.listing, p.get('insight'));
    var insightId = p.get('insight');
    if (!insightId) { hideDetail(); return; }
    if (insightId !== view.detailId) { await loadDetail(insightId, true); }
  }

  function readForm() {
    var form = byId('filters');
    var next = new URLSearchParams();
    FILTERS.forEach(function (key) {
      var value = form.elements[key].value.trim();
      if (value) { next.set(key, value); }
    });
    return next;
  }

  async function start() {
    byId('filters').addEventListener('submit', function (event) {
      event.preventDefault();
      navigate(readForm());
    });
    byId('reset').addEventListener('click', function () { navigate(new URLSearchParams()); });
    byId('prev-page').addEventListener('click', function () {
      var next = params();
      next.set('offset', String(Math.max(0, (Number(next.get('offset')) || 0) - PAGE_SIZE)));
      next.delete('insight');
      navigate(next);
    });
    byId('next-page').addEventListener('click', function () {
      var next = params();
      next.set('offset', String((Number(next.get('offset')) || 0) + PAGE_SIZE));
      next.delete('insight');
      navigate(next);
    });
    window.addEventListener('popstate', function () { render(); });
    try {
      view.info = await getJson('api/info');
      byId('source').textContent = 'Source: ' + view.info.source + ' · last ' + view.info.horizonDays +
        ' days up to ' + formatTime(view.info.referenceTime) + ' UTC';
      byId('f-from').placeholder = formatTime(view.info.horizonStart).slice(0, 10);
    } catch (error) {
      byId('source').textContent = 'Source unavailable: ' + error.message;
    }
    await render();
    document.body.setAttribute('data-ready', 'true');
  }

  start();
})();
`;

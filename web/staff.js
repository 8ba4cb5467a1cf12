// The staff dashboard: asks for a staff token (kept in this tab's sessionStorage
// only), reads the report routes with it, and draws its charts as SVG itself. No
// third-party code, no build step. Every value from the API goes into the page as
// text, never as HTML.
(function () {
  'use strict';
  var TOKEN_KEY = 'pledged_staff_token';
  var SVG = 'http://www.w3.org/2000/svg';
  var $ = function (id) { return document.getElementById(id); };
  var report = null;

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function money(minor, currency) {
    var format = new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() });
    var digits = format.resolvedOptions().maximumFractionDigits;
    return format.format(minor / Math.pow(10, digits));
  }

  function shortMoney(minor, currency) {
    var format = new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase(),
      notation: 'compact', maximumFractionDigits: 1 });
    var digits = new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() })
      .resolvedOptions().maximumFractionDigits;
    return format.format(minor / Math.pow(10, digits));
  }

  function api(path) {
    return fetch(path, { headers: { Authorization: 'Bearer ' + token() }, cache: 'no-store' });
  }

  function showSignIn(message) {
    $('token-form').hidden = false;
    $('dashboard').hidden = true;
    $('sign-out').hidden = true;
    $('token-error').textContent = message || '';
    $('token').focus();
  }

  function errorText(response, body) {
    if (body && body.error) {
      var fields = body.error.fields ? Object.keys(body.error.fields).map(function (f) {
        return f + ' ' + body.error.fields[f];
      }).join('; ') : '';
      return body.error.message + (fields ? ' (' + fields + ')' : '');
    }
    return 'The server answered ' + response.status + '.';
  }

  function query() {
    var params = new URLSearchParams();
    params.set('tz', Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
    if ($('from').value) params.set('from', $('from').value);
    if ($('to').value) params.set('to', $('to').value);
    return params.toString();
  }

  function campaignPath() { return '/v1/reports/campaigns/' + encodeURIComponent($('campaign').value.trim()); }

  function load() {
    $('report-error').textContent = '';
    var url = new URL(location.href);
    url.searchParams.set('campaign', $('campaign').value.trim());
    history.replaceState(null, '', url.pathname + '?' + url.searchParams.toString());
    return api(campaignPath() + '?' + query()).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (response.status === 401) {
          sessionStorage.removeItem(TOKEN_KEY);
          return showSignIn('That token was not accepted (unknown or revoked).');
        }
        $('token-form').hidden = true;
        $('dashboard').hidden = false;
        $('sign-out').hidden = false;
        if (!response.ok) { $('report-error').textContent = errorText(response, body); return; }
        report = body;
        if (!$('from').value) $('from').value = body.from;
        if (!$('to').value) $('to').value = body.to;
        render(body);
        loadWebhooks();
        loadEmails();
      });
    }).catch(function () { $('report-error').textContent = 'The server could not be reached.'; });
  }

  function card(label, value, sub) {
    var node = el('div', { class: 'card' });
    node.appendChild(el('div', { class: 'label' }, label));
    node.appendChild(el('div', { class: 'value' }, value));
    if (sub) node.appendChild(el('div', { class: 'sub' }, sub));
    return node;
  }

  function render(r) {
    var c = r.currency;
    $('as-of').textContent = r.campaign + ', ' + r.from + ' to ' + r.to + ' (' + r.tz + '), as of ' +
      new Date(r.as_of).toLocaleString();
    var cards = $('cards');
    cards.textContent = '';
    var percent = r.goal > 0 ? (r.raised / r.goal * 100) : 0;
    cards.appendChild(card('Raised', money(r.raised, c), percent.toFixed(1) + '% of ' + money(r.goal, c)));
    cards.appendChild(card('Gifts', r.gifts.toLocaleString(), money(r.gross, c) + ' gross'));
    cards.appendChild(card('Donors', r.donors.toLocaleString(), r.recurring_donors + ' recurring'));
    cards.appendChild(card('Average gift', money(r.average_gift, c)));
    cards.appendChild(card('Refunded', money(r.refunded, c), money(r.disputed, c) + ' disputed'));
    cards.appendChild(card('Fees covered', money(r.fees_covered, c), 'added by donors, in gross'));
    cards.appendChild(card('At this pace', money(r.pace.expected_at_end, c),
      r.pace.goal_reached_on ? 'goal on ' + r.pace.goal_reached_on : 'goal not in sight'));
    drawCumulative(r);
    drawDaily(r);
    drawShare(r);
    drawMatches(r);
    fillRecent(r);
    fillDonors(r);
  }

  // Chart frame: width 640, height 260, margins for the axis labels.
  var W = 640, H = 260, L = 56, R = 12, T = 12, B = 28;

  function frame(container, label) {
    container.textContent = '';
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, preserveAspectRatio: 'xMidYMid meet', role: 'img' });
    root.appendChild(svg('title', {}, label));
    container.appendChild(root);
    return root;
  }

  function axes(root, max, format, days) {
    for (var i = 0; i <= 4; i++) {
      var y = T + (H - T - B) * (1 - i / 4);
      root.appendChild(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y, y2: y }));
      root.appendChild(svg('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, format(max * i / 4)));
    }
    root.appendChild(svg('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
    if (days.length) {
      root.appendChild(svg('text', { x: L, y: H - 8 }, days[0]));
      root.appendChild(svg('text', { x: W - R, y: H - 8, 'text-anchor': 'end' }, days[days.length - 1]));
    }
  }

  function drawCumulative(r) {
    var root = frame($('chart-cumulative'), 'Cumulative raised against the goal');
    var days = r.by_day.map(function (d) { return d.date; });
    var running = r.net_before_range, points = r.by_day.map(function (d) { running += d.net; return running; });
    var today = new Date(r.as_of).toISOString().slice(0, 10);
    var lastIndex = days.length - 1;
    for (var i = 0; i < days.length; i++) { if (days[i] <= today) lastIndex = i; }
    var max = Math.max(r.goal, r.pace.expected_at_end, Math.max.apply(null, points.concat([1]))) * 1.05;
    var x = function (i) { return L + (W - L - R) * (days.length > 1 ? i / (days.length - 1) : 0.5); };
    var y = function (v) { return T + (H - T - B) * (1 - Math.max(0, v) / max); };
    axes(root, max, function (v) { return shortMoney(v, r.currency); }, days);
    var goalY = y(r.goal);
    root.appendChild(svg('line', { class: 'goal', x1: L, x2: W - R, y1: goalY, y2: goalY }));
    var path = points.slice(0, lastIndex + 1).map(function (v, i) {
      return (i ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(v).toFixed(1);
    }).join(' ');
    if (path) root.appendChild(svg('path', { class: 'raised', d: path }));
    if (lastIndex < days.length - 1 && lastIndex >= 0) {
      root.appendChild(svg('path', { class: 'pace', d: 'M' + x(lastIndex).toFixed(1) + ' ' + y(points[lastIndex]).toFixed(1) +
        ' L' + x(days.length - 1).toFixed(1) + ' ' + y(r.pace.expected_at_end).toFixed(1) }));
    }
  }

  // One panel per match: earned against the cap, and a small chart of the earned total by day.
  function drawMatches(r) {
    var box = $('matches');
    box.textContent = '';
    if (!r.matches || !r.matches.length) { box.appendChild(el('p', { class: 'fine' }, 'No match on this campaign.')); return; }
    var days = r.by_day.map(function (d) { return d.date; });
    r.matches.forEach(function (m) {
      var panel = el('div', { class: 'match' });
      panel.appendChild(el('h3', {}, m.sponsor + ' (' + m.ratio + '%, ' + m.applies_to.replace('_', ' ') + ')'));
      panel.appendChild(el('p', { class: 'match-figures' }, money(m.earned, r.currency) + ' earned of ' +
        money(m.cap, r.currency) + ', ' + money(m.remaining, r.currency) + ' left' + (m.active ? ' · active' : '')));
      var chart = el('div', { class: 'chart small', role: 'img', 'aria-label': 'What ' + m.sponsor + "'s match earned by day" });
      panel.appendChild(chart);
      box.appendChild(panel);
      var root = frame(chart, m.sponsor + ': earned against the cap');
      var byDay = {};
      m.by_day.forEach(function (d) { byDay[d.date] = d.earned; });
      var running = 0, points = days.map(function (day) { running += byDay[day] || 0; return running; });
      var max = Math.max(m.cap, running, 1) * 1.05;
      var x = function (i) { return L + (W - L - R) * (days.length > 1 ? i / (days.length - 1) : 0.5); };
      var y = function (v) { return T + (H - T - B) * (1 - Math.max(0, v) / max); };
      axes(root, max, function (v) { return shortMoney(v, r.currency); }, days);
      root.appendChild(svg('line', { class: 'cap', x1: L, x2: W - R, y1: y(m.cap), y2: y(m.cap) }));
      var path = points.map(function (v, i) { return (i ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(v).toFixed(1); }).join(' ');
      if (path) root.appendChild(svg('path', { class: 'earned', d: path }));
    });
  }

  function drawDaily(r) {
    var root = frame($('chart-daily'), 'Gifts per day');
    var days = r.by_day.map(function (d) { return d.date; });
    var max = Math.max.apply(null, r.by_day.map(function (d) { return d.gifts; }).concat([1]));
    axes(root, max, function (v) { return Number.isInteger(v) ? String(v) : v.toFixed(1); }, days);
    var slot = (W - L - R) / Math.max(days.length, 1);
    r.by_day.forEach(function (d, i) {
      var height = (H - T - B) * d.gifts / max;
      var bar = svg('rect', { class: 'bar', x: (L + i * slot + slot * 0.15).toFixed(1), y: (H - B - height).toFixed(1),
        width: Math.max(slot * 0.7, 1).toFixed(1), height: height.toFixed(1) });
      bar.appendChild(svg('title', {}, d.date + ': ' + d.gifts + ' gifts, ' + money(d.amount, r.currency)));
      root.appendChild(bar);
    });
  }

  function drawShare(r) {
    var box = $('recurring-share');
    box.textContent = '';
    var monthly = r.by_frequency.monthly.amount, total = monthly + r.by_frequency.once.amount;
    var share = total > 0 ? monthly / total : 0;
    var track = svg('svg', { viewBox: '0 0 100 4', preserveAspectRatio: 'none', class: 'track' });
    track.appendChild(svg('rect', { x: 0, y: 0, width: 100, height: 4, fill: '#e3e3e3' }));
    track.appendChild(svg('rect', { class: 'monthly', x: 0, y: 0, width: (share * 100).toFixed(2), height: 4 }));
    box.appendChild(track);
    box.appendChild(el('p', { class: 'fine' }, (share * 100).toFixed(1) + '% of gift money is monthly (' +
      money(monthly, r.currency) + ' from ' + r.by_frequency.monthly.gifts + ' installments; ' +
      r.recurring_donors + ' recurring donors).'));
  }

  function fillRows(table, rows) {
    var body = $(table).querySelector('tbody');
    body.textContent = '';
    if (!rows.length) {
      var empty = el('tr');
      empty.appendChild(el('td', { colspan: '4', class: 'fine' }, 'None yet.'));
      body.appendChild(empty);
    }
    rows.forEach(function (cells) {
      var tr = el('tr');
      cells.forEach(function (cell) { tr.appendChild(el('td', cell.num ? { class: 'num' } : {}, cell.text)); });
      body.appendChild(tr);
    });
  }

  function fillRecent(r) {
    fillRows('recent-gifts', r.recent_gifts.map(function (g) {
      return [{ text: new Date(g.occurred_at).toLocaleString() }, { text: g.name || '—' },
        { text: g.method === 'stripe' ? (g.frequency === 'monthly' ? 'monthly' : 'online') : g.method.replace('_', ' ') },
        { text: money(g.amount, r.currency), num: true }];
    }));
  }

  function fillDonors(r) {
    fillRows('top-donors', r.top_donors.map(function (d) {
      return [{ text: d.name || '—' }, { text: d.gifts, num: true }, { text: money(d.amount, d.currency), num: true }];
    }));
    fillRows('lapsed-donors', r.lapsed_donors.map(function (d) {
      return [{ text: d.name || '—' }, { text: d.email }, { text: d.last_gift_at.slice(0, 10), num: true }];
    }));
  }

  function loadWebhooks() {
    api('/v1/reports/webhooks/health').then(function (response) { return response.ok ? response.json() : null; })
      .then(function (h) {
        var box = $('webhooks');
        box.textContent = '';
        if (!h) { box.appendChild(el('p', { class: 'fine' }, 'Webhook health is not available.')); return; }
        var summary = el('p', { class: h.failed_24h || h.waiting ? 'warn' : 'ok' },
          h.failed_24h + ' failed in the last 24 h, ' + h.waiting + ' waiting, ' + h.received_24h + ' received in 24 h.');
        box.appendChild(summary);
        h.by_type.forEach(function (t) {
          box.appendChild(el('p', { class: 'fine' }, t.type + ': last ' + new Date(t.last_received_at).toLocaleString()));
        });
      }).catch(function () {});
  }

  // The donor-email outbox: counts and the last failures (time, kind, error class only).
  function loadEmails() {
    api('/v1/reports/emails/health').then(function (response) { return response.ok ? response.json() : null; })
      .then(function (h) {
        var box = $('emails');
        box.textContent = '';
        if (!h) { box.appendChild(el('p', { class: 'fine' }, 'Email health is not available.')); return; }
        box.appendChild(el('p', { class: h.failed ? 'warn' : 'ok' },
          h.queued + ' queued, ' + h.sent + ' sent, ' + h.failed + ' failed.' +
          (h.oldest_queued_at ? ' Oldest queued since ' + new Date(h.oldest_queued_at).toLocaleString() + '.' : '')));
        h.last_failures.forEach(function (f) {
          box.appendChild(el('p', { class: 'fine' },
            new Date(f.at).toLocaleString() + ': ' + f.kind + ' (' + f.status + '): ' + f.error));
        });
      }).catch(function () {});
  }

  // The CSV is fetched with the token (a plain link could not send it), then saved from a Blob.
  function download(kind) {
    $('download-error').textContent = '';
    var button = $(kind === 'gifts' ? 'download-gifts' : 'download-donors');
    button.disabled = true;
    var path = campaignPath() + '/' + kind + '.csv' + (kind === 'gifts' ? '?' + query() : '');
    return api(path).then(function (response) {
      if (!response.ok) {
        return response.json().catch(function () { return null; }).then(function (body) {
          $('download-error').textContent = errorText(response, body);
        });
      }
      return response.blob().then(function (blob) {
        var link = el('a', { href: URL.createObjectURL(blob),
          download: $('campaign').value.trim() + (kind === 'gifts' ? '-gifts.csv' : '-lapsed-donors.csv') });
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      });
    }).catch(function () { $('download-error').textContent = 'The download failed.'; })
      .then(function () { button.disabled = false; });
  }

  // "250.5" in the currency's major unit as an integer of minor units, without floating
  // point; null when it is not such a number.
  function minorUnits(text, currency) {
    var digits = new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() })
      .resolvedOptions().maximumFractionDigits;
    var match = /^(\d{1,9})(?:[.,](\d*))?$/.exec(text.trim());
    if (!match || (match[2] || '').length > digits) return null;
    var fraction = ((match[2] || '') + '000000').slice(0, digits);
    return parseInt(match[1], 10) * Math.pow(10, digits) + (digits ? parseInt(fraction, 10) : 0);
  }

  function newIdempotencyKey(prefix) {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return (prefix || 'gift') + '-' + Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  // POST /v1/admin/campaigns/{campaign}/{what} with the submission's key: the response and its JSON (or null).
  function postAdmin(what, body, key) {
    return fetch('/v1/admin/campaigns/' + encodeURIComponent(report.campaign) + '/' + what, {
      method: 'POST', cache: 'no-store', body: JSON.stringify(body),
      headers: { Authorization: 'Bearer ' + token(), 'Content-Type': 'application/json', 'Idempotency-Key': key }
    }).then(function (response) {
      return response.json().catch(function () { return null; })
        .then(function (answer) { return { response: response, answer: answer }; });
    });
  }

  // One Idempotency-Key per submission: pressing Record again after a lost answer sends
  // the same key, so the server records the gift once; a recorded gift or any edit of
  // the form starts a new submission.
  var giftKey = null;
  function recordGift() {
    $('gift-error').textContent = '';
    $('gift-done').textContent = '';
    if (!report) { $('gift-error').textContent = 'Show a campaign first.'; return; }
    var amount = minorUnits($('gift-amount').value, report.currency);
    if (amount === null) { $('gift-error').textContent = 'Enter the amount as a number, like 250.00.'; return; }
    var body = { amount: amount, currency: report.currency, method: $('gift-method').value };
    if ($('gift-received').value) body.received_at = $('gift-received').value;
    [['name', 'gift-name'], ['email', 'gift-email'], ['note', 'gift-note']].forEach(function (field) {
      var value = $(field[1]).value.trim();
      if (value) body[field[0]] = value;
    });
    giftKey = giftKey || newIdempotencyKey();
    var button = $('gift-submit');
    button.disabled = true;
    return postAdmin('offline-gifts', body, giftKey).then(function (reply) {
      if (!reply.response.ok) { $('gift-error').textContent = errorText(reply.response, reply.answer); return; }
      giftKey = null;
      $('gift-form').reset();
      $('gift-done').textContent = 'Recorded: ' + money(reply.answer.amount, reply.answer.currency) + ' (' +
        reply.answer.method + ').';
      return load();
    }).catch(function () {
      $('gift-error').textContent = 'The server could not be reached. Press Record again to send the same gift.';
    }).then(function () { button.disabled = false; });
  }

  // The same one-key-per-submission rule as the offline gift form.
  var matchKey = null;
  function addMatch() {
    $('match-error').textContent = '';
    $('match-done').textContent = '';
    if (!report) { $('match-error').textContent = 'Show a campaign first.'; return; }
    var cap = minorUnits($('match-cap').value, report.currency);
    var perGift = $('match-per-gift').value.trim() ? minorUnits($('match-per-gift').value, report.currency) : undefined;
    var ratio = /^\d{1,4}$/.test($('match-ratio').value.trim()) ? parseInt($('match-ratio').value, 10) : null;
    if (cap === null || perGift === null || ratio === null) {
      $('match-error').textContent = 'Enter the ratio as a whole percent and the caps as amounts, like 10000.00.';
      return;
    }
    var body = { sponsor: $('match-sponsor').value.trim(), ratio: ratio, cap: cap, currency: report.currency,
      applies_to: $('match-applies').value };
    if (perGift !== undefined) body.per_gift_cap = perGift;
    if ($('match-starts').value) body.starts_at = $('match-starts').value;
    if ($('match-ends').value) body.ends_at = $('match-ends').value;
    matchKey = matchKey || newIdempotencyKey('match');
    var button = $('match-submit');
    button.disabled = true;
    return postAdmin('matches', body, matchKey).then(function (reply) {
      if (!reply.response.ok) { $('match-error').textContent = errorText(reply.response, reply.answer); return; }
      matchKey = null;
      $('match-form').reset();
      $('match-done').textContent = 'Added: ' + reply.answer.sponsor + ', up to ' +
        money(reply.answer.cap, reply.answer.currency) + '.';
      return load();
    }).catch(function () {
      $('match-error').textContent = 'The server could not be reached. Press Add again to send the same match.';
    }).then(function () { button.disabled = false; });
  }

  $('token-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var value = $('token').value.trim();
    if (!/^pst_[0-9A-Za-z]{40}$/.test(value)) {
      $('token-error').textContent = 'A staff token starts with pst_ and has 44 characters.';
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, value);
    $('token').value = '';
    if ($('campaign').value) return load();
    $('token-form').hidden = true;
    $('dashboard').hidden = false;
    $('sign-out').hidden = false;
    $('report-error').textContent = 'Enter a campaign (its slug, e.g. eoy-2026) and press Show.';
  });
  $('query').addEventListener('submit', function (event) { event.preventDefault(); load(); });
  $('sign-out').addEventListener('click', function () { sessionStorage.removeItem(TOKEN_KEY); showSignIn(''); });
  $('gift-form').addEventListener('submit', function (event) { event.preventDefault(); recordGift(); });
  $('gift-form').addEventListener('input', function () { giftKey = null; });
  $('match-form').addEventListener('submit', function (event) { event.preventDefault(); addMatch(); });
  $('match-form').addEventListener('input', function () { matchKey = null; });
  $('download-gifts').addEventListener('click', function () { download('gifts'); });
  $('download-donors').addEventListener('click', function () { download('donors'); });

  $('campaign').value = new URLSearchParams(location.search).get('campaign') || '';
  if (token() && $('campaign').value) load(); else showSignIn('');
})();

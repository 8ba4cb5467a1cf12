/* pledged appeal banner: <script src="https://give.example/embed/eoy-2026.js" async></script>
 * Draws the campaign's progress where the tag stands (or into data-target="element-id"),
 * keeps it fresh (polls the progress route with If-None-Match every >= 15 s, pauses while
 * the tab is hidden), sets no cookies and loads nothing from anyone else.
 * Theming: data-accent, data-background, data-text, data-button-text, data-title;
 * data-button="none" hides the Donate button and data-heading="none" the campaign's title
 * (the donation page, whose own heading names the campaign, uses both).
 * data-source="page": the page feeds the figures (a "pledged:progress" event on document
 * whose detail is the progress route's body) and the banner fetches nothing itself; the
 * thank-you page does that, so the banner shows the same fresh figure as its message.
 * While a sponsor's match is active (the route's `match`), a line says so; the bar and its
 * percent count raised + matched, as the route's `percent` does. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var source = new URL(script.src, document.baseURI);
  var match = /\/embed\/([a-z0-9-]+)\.js$/.exec(source.pathname);
  if (!match) return;
  var slug = match[1];
  var origin = source.origin;
  var data = script.dataset;
  var showButton = data.button !== 'none';
  var showHeading = data.heading !== 'none';
  var refreshMs = Math.max(15, Number(data.refreshSeconds) || 30) * 1000;
  var fedByPage = data.source === 'page';

  var host = document.createElement('div');
  host.className = 'pledged-banner-host';
  var target = data.target && document.getElementById(data.target);
  if (target) target.appendChild(host); else script.parentNode.insertBefore(host, script);
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;

  var css = ':host{display:block}' +
    '.b{box-sizing:border-box;font:16px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;' +
    'background:var(--bg);color:var(--fg);border-radius:8px;padding:12px 16px;display:flex;flex-wrap:wrap;' +
    'align-items:center;gap:8px 16px;max-width:100%}' +
    '.t{flex:1 1 100%;margin:0;font-weight:700}' +
    '.p{flex:1 1 220px;min-width:0}' +
    '.a{margin:0 0 4px}' +
    '.bar{height:12px;border-radius:6px;background:rgba(0,0,0,.15);overflow:hidden}' +
    '.fill{height:100%;width:0;background:var(--accent);transition:width .6s ease}' +
    '.m{margin:4px 0 0;font-size:14px}' +
    '.mt{margin:0 0 4px;font-weight:700}' +
    '.d{flex:0 0 auto;display:inline-block;background:var(--accent);color:#fff;text-decoration:none;' +
    'font-weight:700;padding:10px 20px;border-radius:6px}' +
    '.d:focus-visible{outline:3px solid var(--fg);outline-offset:2px}' +
    '.d:hover{filter:brightness(1.1)}' +
    '[hidden]{display:none!important}';

  root.innerHTML =
    '<section class="b" role="region" aria-label="Fundraising progress">' +
    '<p class="t"></p><div class="p"><p class="mt" hidden></p><p class="a" aria-live="polite"></p>' +
    '<div class="bar" role="progressbar" aria-label="Progress toward the goal" aria-valuemin="0" aria-valuemax="100">' +
    '<div class="fill"></div></div>' +
    '<p class="m"></p></div><a class="d"></a></section>';
  applyStyles(root, css);

  var box = root.querySelector('.b');
  box.style.setProperty('--accent', data.accent || '#b00020');
  box.style.setProperty('--bg', data.background || '#fff8e6');
  box.style.setProperty('--fg', data.text || '#1a1a1a');
  var button = root.querySelector('.d');
  button.href = origin + '/donate/' + slug;
  button.target = '_top';
  button.textContent = data.buttonText || 'Donate';

  var etag = null;
  var timer = null;

  function applyStyles(node, text) {
    // Constructed stylesheets are not inline styles, so a host page's strict CSP allows them.
    if (node.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === 'function') {
      try {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(text);
        node.adoptedStyleSheets = [sheet];
        return;
      } catch (e) { /* fall through to a style element */ }
    }
    var style = document.createElement('style');
    style.textContent = text;
    node.appendChild(style);
  }

  function money(minor, currency) {
    var format = new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() });
    var digits = format.resolvedOptions().maximumFractionDigits;
    var whole = minor % Math.pow(10, digits) === 0;
    return new Intl.NumberFormat(undefined, {
      style: 'currency', currency: currency.toUpperCase(),
      minimumFractionDigits: whole ? 0 : digits, maximumFractionDigits: digits
    }).format(minor / Math.pow(10, digits));
  }

  function plural(n, one, many) {
    return new Intl.NumberFormat().format(n) + ' ' + (n === 1 ? one : many);
  }

  // "doubled" for one to one, "tripled" for two to one, else the multiple or the percent.
  function matchLine(offer, currency) {
    var words = { 100: 'doubled', 200: 'tripled', 300: 'quadrupled' };
    var how = words[offer.ratio] ? 'Your gift is ' + words[offer.ratio] + ' by ' :
      offer.ratio % 100 === 0 ? 'Your gift is matched ' + (offer.ratio / 100) + ' to 1 by ' :
      'Your gift is matched at ' + offer.ratio + '% by ';
    return how + offer.sponsor + ' \u2014 ' + money(offer.remaining, currency) + ' of matching left';
  }

  function render(p) {
    var percent = Number(p.percent) || 0;
    var heading = root.querySelector('.t');
    heading.textContent = data.title || p.title;
    heading.hidden = !showHeading;
    var bar = root.querySelector('.bar');
    bar.setAttribute('aria-valuenow', String(Math.min(percent, 100)));
    bar.setAttribute('aria-valuetext', percent + '% of the goal');
    root.querySelector('.fill').style.width = Math.min(percent, 100) + '%';
    var raised = money(p.raised, p.currency);
    var goal = money(p.goal, p.currency);
    var matched = p.matched > 0 ? ' and ' + money(p.matched, p.currency) + ' matched' : '';
    var amounts = root.querySelector('.a');
    var meta = root.querySelector('.m');
    var offer = root.querySelector('.mt');
    offer.hidden = !p.match || p.status !== 'active';
    offer.textContent = offer.hidden ? '' : matchLine(p.match, p.currency);
    if (p.status === 'ended') {
      amounts.textContent = 'Thank you! Together we raised ' + raised + matched + ' of our ' + goal + ' goal.';
      meta.textContent = plural(p.donors, 'donor', 'donors') + ' made this possible.';
      button.hidden = true;
      return;
    }
    amounts.textContent = raised + ' raised' + matched + ' of ' + goal;
    var parts = [percent + '%', plural(p.donors, 'donor', 'donors')];
    if (p.status === 'scheduled') {
      parts.push('starts ' + new Date(p.starts_at).toLocaleDateString());
    } else {
      var days = Math.max(0, Math.ceil((Date.parse(p.ends_at) - Date.now()) / 86400000));
      parts.push(plural(days, 'day left', 'days left'));
    }
    meta.textContent = parts.join(' · ');
    button.hidden = !showButton || p.status !== 'active';
  }

  function refresh() {
    var headers = etag ? { 'If-None-Match': etag } : {};
    fetch(origin + '/v1/campaigns/' + slug + '/progress', { credentials: 'omit', cache: 'no-cache', headers: headers })
      .then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok) throw new Error('progress ' + response.status);
        etag = response.headers.get('ETag');
        return response.json();
      })
      .then(function (progress) { if (progress) render(progress); })
      .catch(function () { /* keep what is shown; try again at the next tick */ })
      .then(schedule);
  }

  function schedule() {
    clearTimeout(timer);
    timer = document.hidden ? null : setTimeout(refresh, refreshMs);
  }

  if (fedByPage) {
    document.addEventListener('pledged:progress', function (event) { if (event.detail) render(event.detail); });
    return;
  }
  document.addEventListener('visibilitychange', function () {
    if (document.hidden) { clearTimeout(timer); timer = null; } else { refresh(); }
  });
  refresh();
})();

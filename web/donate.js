/* The donation form: checks mirror the server's (POST /v1/pledges), field errors from the API
 * appear next to their fields, and one Idempotency-Key per distinct submission means a double
 * click or a retry creates one pledge. On success the donor goes to the checkout_url. */
(function () {
  'use strict';
  var page = document.getElementById('donate');
  var form = document.getElementById('donate-form');
  var campaign = page.dataset.campaign;
  var currency = page.dataset.currency;
  var minimum = Number(page.dataset.minimum);
  var maximum = Number(page.dataset.maximum);
  var exponent = new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() })
    .resolvedOptions().maximumFractionDigits;
  // PLEDGED_COVER_FEE, empty when off: the fee a donor may add, by the server's own rule.
  var feeBasisPoints = page.dataset.feeBasisPoints === '' ? null : Number(page.dataset.feeBasisPoints);
  var feeFixed = Number(page.dataset.feeFixed || '0');
  var coverFee = document.getElementById('cover-fee');
  var presets = exponent === 0 ? [1000, 2500, 5000, 10000] : [10, 25, 50, 100];
  var amountInput = document.getElementById('amount');
  var submit = document.getElementById('submit');
  var lastBody = null;
  var lastKey = null;
  var selectedPreset = null;

  if (new URLSearchParams(location.search).has('cancelled')) document.getElementById('cancelled').hidden = false;
  if (page.dataset.status !== 'active') {
    document.getElementById('closed').hidden = false;
    submit.disabled = true;
  }

  var formatter = new Intl.NumberFormat(undefined, {
    style: 'currency', currency: currency.toUpperCase(), minimumFractionDigits: 0
  });
  presets.forEach(function (major) {
    var button = document.createElement('button');
    button.type = 'button';
    button.textContent = formatter.format(major);
    button.dataset.amount = String(major);
    button.setAttribute('aria-pressed', 'false');
    button.addEventListener('click', function () { choosePreset(button); });
    document.getElementById('presets').appendChild(button);
  });

  function choosePreset(button) {
    document.querySelectorAll('#presets button').forEach(function (b) { b.setAttribute('aria-pressed', 'false'); });
    button.setAttribute('aria-pressed', 'true');
    selectedPreset = button.dataset.amount;
    amountInput.value = '';
    showErrors({});
    showFee();
  }
  amountInput.addEventListener('input', function () {
    selectedPreset = null;
    document.querySelectorAll('#presets button').forEach(function (b) { b.setAttribute('aria-pressed', 'false'); });
    showFee();
  });

  // The smallest c with c - round(c * PERCENT / 100) - FIXED >= amount, rounding a half up
  // (API.md, POST /v1/pledges; src/domain/covered_fee.cpp): whole numbers only, so exact.
  function quotient(n, d) { return (n - n % d) / d; }
  function chargedCoveringFee(amount) {
    function left(c) { return c - quotient(c * feeBasisPoints + 5000, 10000) - feeFixed; }
    var c = Math.max(amount, quotient((amount + feeFixed) * 10000, 10000 - feeBasisPoints) - 2);
    while (left(c) < amount) c += 1;
    return c;
  }

  // "Add $1.06 to cover fees" for the amount chosen now, and what will be charged.
  function showFee() {
    if (feeBasisPoints === null) return;
    var amount = toMinorUnits(selectedPreset !== null ? selectedPreset : amountInput.value);
    var line = document.getElementById('cover-fee-line');
    var total = document.getElementById('cover-fee-total');
    if (amount === null || amount < minimum || amount > maximum) {
      line.textContent = 'Add the processing fee so that all of my gift reaches us';
      delete line.dataset.fee;
      total.textContent = '';
      return;
    }
    var charged = chargedCoveringFee(amount);
    line.textContent = 'Add ' + formatMinor(charged - amount) + ' to cover fees';
    line.dataset.fee = String(charged - amount);
    total.textContent = coverFee.checked ? 'You will be charged ' + formatMinor(charged) + '.' : '';
  }
  if (feeBasisPoints !== null) {
    document.getElementById('cover-fee-choice').hidden = false;
    coverFee.addEventListener('change', showFee);
  }

  // "25", "25.5", "25.50" -> minor units as an integer, exactly as the server parses major units.
  function toMinorUnits(text) {
    var pattern = exponent === 0 ? /^\d+$/ : new RegExp('^\\d+(\\.\\d{1,' + exponent + '})?$');
    text = text.trim();
    if (!pattern.test(text)) return null;
    var parts = text.split('.');
    var fraction = (parts[1] || '').padEnd(exponent, '0');
    return Number(parts[0]) * Math.pow(10, exponent) + Number(fraction || '0');
  }

  function formatMinor(minor) {
    var whole = minor % Math.pow(10, exponent) === 0;
    return new Intl.NumberFormat(undefined, {
      style: 'currency', currency: currency.toUpperCase(),
      minimumFractionDigits: whole ? 0 : exponent, maximumFractionDigits: exponent
    }).format(minor / Math.pow(10, exponent));
  }

  function collect() {
    var errors = {};
    var amountText = selectedPreset !== null ? selectedPreset : amountInput.value;
    var amount = toMinorUnits(amountText);
    if (amount === null) errors.amount = 'Enter an amount such as 25' + (exponent ? ' or 25.50' : '');
    else if (amount < minimum) errors.amount = 'must be at least ' + formatMinor(minimum);
    else if (amount > maximum) errors.amount = 'must be at most ' + formatMinor(maximum);
    var email = document.getElementById('email').value.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) errors.email = 'Enter a valid email address';
    var name = document.getElementById('name').value.trim();
    if (name.length > 200) errors.name = 'must be at most 200 characters';
    var message = document.getElementById('message').value.trim();
    if (message.length > 500) errors.message = 'must be at most 500 characters';
    var body = {
      campaign: campaign, amount: amount, currency: currency,
      frequency: form.querySelector('input[name="frequency"]:checked').value,
      email: email, name: name, anonymous: document.getElementById('anonymous').checked,
      message: message, digest_opt_in: document.getElementById('digest').checked
    };
    if (feeBasisPoints !== null) body.cover_fee = coverFee.checked;
    return { errors: errors, body: body };
  }

  function showErrors(fields, general) {
    ['amount', 'email', 'name', 'message'].forEach(function (field) {
      var text = fields[field] || '';
      document.getElementById('error-' + field).textContent = text;
      var input = document.getElementById(field);
      if (text) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
    });
    var other = Object.keys(fields).filter(function (f) { return ['amount', 'email', 'name', 'message'].indexOf(f) < 0; });
    document.getElementById('error-form').textContent =
      general || other.map(function (f) { return f + ': ' + fields[f]; }).join('; ');
  }

  // Where a keyboard or screen-reader user should land to fix the form: the first field in error.
  function focusFirstError(fields) {
    var first = ['amount', 'name', 'email', 'message'].filter(function (f) { return fields[f]; })[0];
    if (first) document.getElementById(first).focus();
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, '0'); }).join('');
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (submit.disabled) return;
    var collected = collect();
    if (Object.keys(collected.errors).length) {
      showErrors(collected.errors);
      focusFirstError(collected.errors);
      return;
    }
    showErrors({});
    var body = JSON.stringify(collected.body);
    // The same form contents keep their key, so a retry after a lost answer is deduplicated.
    if (body !== lastBody) { lastBody = body; lastKey = newKey(); }
    submit.disabled = true;
    fetch('/v1/pledges', {
      method: 'POST', credentials: 'omit',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': lastKey },
      body: body
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (response.status === 201 && json.checkout_url) {
          location.assign(json.checkout_url);
          return;
        }
        submit.disabled = false;
        var error = json.error || {};
        if (response.status === 422 && error.fields) {
          showErrors(error.fields);
          focusFirstError(error.fields);
        } else {
          showErrors({}, error.message || 'Something went wrong; please try again.');
        }
      });
    }).catch(function () {
      submit.disabled = false;
      showErrors({}, 'We could not reach the server; please try again.');
    });
  });
})();

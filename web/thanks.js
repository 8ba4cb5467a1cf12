/* The thank-you page: the donor lands here from checkout with ?pledge=pl_…, before or just
 * after Stripe's webhook. It asks GET /v1/pledges/{id} about once a second for up to a
 * minute (never from a cache: the answer's figure includes the gift once it is counted),
 * says so in words, and feeds the same figure to the banner (data-source="page"), so the
 * banner never shows a total older than the donor's own gift. */
(function () {
  'use strict';
  var page = document.getElementById('thanks');
  var slug = page.dataset.campaign;
  var status = document.getElementById('gift-status');
  var tryAgain = document.getElementById('try-again');
  var pledgeId = new URLSearchParams(location.search).get('pledge');
  var pollMs = 1000;
  var deadline = Date.now() + 60000;

  // Kind words for a pledge that will not be counted; each offers a way to try again.
  var notCounted = {
    failed: 'Your payment did not go through, so nothing was charged. You can try again, with another card if you like.',
    expired: 'Your checkout timed out before the payment was made, so nothing was charged. You can start again whenever you like.',
    not_started: 'We could not reach our payment provider, so nothing was charged. Please try again in a moment.'
  };

  function money(minor, currency) {
    var format = new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() });
    var digits = format.resolvedOptions().maximumFractionDigits;
    var whole = minor % Math.pow(10, digits) === 0;
    return new Intl.NumberFormat(undefined, {
      style: 'currency', currency: currency.toUpperCase(),
      minimumFractionDigits: whole ? 0 : digits, maximumFractionDigits: digits
    }).format(minor / Math.pow(10, digits));
  }

  function say(text) {
    if (status.textContent !== text) status.textContent = text;
  }

  function feedBanner(progress) {
    document.dispatchEvent(new CustomEvent('pledged:progress', { detail: progress }));
  }

  // Without a pledge to ask about (an old link, an unknown id) the banner still shows the total.
  function showCampaignOnly() {
    fetch('/v1/campaigns/' + slug + '/progress', { credentials: 'omit', cache: 'no-store' })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (progress) { if (progress) feedBanner(progress); })
      .catch(function () { /* the page still thanks the donor */ });
  }

  // True when the answer is final and polling can stop.
  function settle(pledge) {
    var progress = pledge.progress;
    feedBanner(progress);
    if (pledge.status === 'refunded') {
      say('This gift was refunded in full.');
      return true;
    }
    if (pledge.counted) {
      say('Your ' + money(pledge.amount, pledge.currency) + ' is counted: together we have raised ' +
          money(progress.raised, progress.currency) + ' of ' + money(progress.goal, progress.currency) + '.');
      return true;
    }
    if (notCounted[pledge.status]) {
      say(notCounted[pledge.status]);
      tryAgain.hidden = false;
      return true;
    }
    if (pledge.status === 'awaiting_payment') {
      say('Your bank payment is on its way. It counts as soon as your bank confirms it, usually within a few days.');
    }
    return false;
  }

  function poll() {
    fetch('/v1/pledges/' + encodeURIComponent(pledgeId), { credentials: 'omit', cache: 'no-store' })
      .then(function (response) {
        if (response.status === 404) return { unknown: true };
        if (!response.ok) throw new Error('pledge ' + response.status);
        return response.json();
      })
      .then(function (pledge) {
        if (pledge.unknown) {
          showCampaignOnly();
          return;
        }
        if (!settle(pledge)) schedule();
      })
      .catch(schedule);
  }

  function schedule() {
    if (Date.now() + pollMs > deadline) {
      say('Your payment is still being confirmed. It will be in the total shortly: thank you for your patience.');
      showCampaignOnly();
      return;
    }
    setTimeout(poll, pollMs);
  }

  if (pledgeId) poll(); else showCampaignOnly();
})();

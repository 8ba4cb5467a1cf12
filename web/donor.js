// The sign-in form of /donor: posts the email to /v1/donor/links and shows the one
// answer the service gives, whether or not that email ever gave.
(function () {
  'use strict';
  var form = document.getElementById('link-form');
  var email = document.getElementById('email');
  var error = document.getElementById('email-error');
  var status = document.getElementById('link-status');
  var button = document.getElementById('send-link');

  function showError(text) {
    error.textContent = text;
    email.setAttribute('aria-invalid', text ? 'true' : 'false');
    if (text) email.focus();
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    showError('');
    status.textContent = '';
    if (!email.value.trim() || email.value.indexOf('@') < 1) return showError('Enter the email address you gave with.');
    button.disabled = true;
    fetch('/v1/donor/links', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: email.value }),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.status === 202) {
          status.textContent = body.message || 'If that email has given to us, a sign-in link is on its way.';
        } else if (response.status === 429) {
          status.textContent = 'Too many links asked for. Please try again in a little while.';
        } else if (body.error && body.error.fields && body.error.fields.email) {
          showError('Enter the email address you gave with.');
        } else {
          status.textContent = 'Something went wrong. Please try again.';
        }
      });
    }).catch(function () {
      status.textContent = 'We could not reach the server. Please try again.';
    }).then(function () { button.disabled = false; });
  });
})();

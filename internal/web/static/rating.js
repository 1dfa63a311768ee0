// The rating block at the foot of citizen pages (layouts/rating.html). Without this script the
// block is a plain form showing both follow-up panels; with it, the panel follows the stars
// (1–3: "Dove hai incontrato le maggiori difficoltà?", 4–5: "Quali sono stati gli aspetti che
// hai preferito?"), the rest appears once a star is chosen, and the answer goes by fetch.
(function () {
  'use strict';

  function setup(form) {
    var card = form.closest('[data-element="feedback"]');
    var thanks = card.querySelector('.rating-thanks');
    var steps = form.querySelector('.rating-steps');
    var negative = form.querySelector('[data-rating-panel="negative"]');
    var positive = form.querySelector('[data-rating-panel="positive"]');
    var error = form.querySelector('.rating-error');

    function stars() {
      var c = form.querySelector('input[name="stars"]:checked');
      return c ? parseInt(c.value, 10) : 0;
    }

    function clear(panel) {
      panel.querySelectorAll('input[type="radio"]').forEach(function (r) { r.checked = false; });
    }

    function update() {
      var n = stars();
      steps.hidden = n === 0;
      negative.hidden = !(n >= 1 && n <= 3);
      positive.hidden = !(n >= 4);
      if (negative.hidden) clear(negative);
      if (positive.hidden) clear(positive);
    }

    function done() {
      form.classList.add('is-sent');
      thanks.classList.add('is-shown');
      thanks.focus();
    }

    if (location.hash === '#' + thanks.id) {
      done();
      return;
    }
    form.querySelectorAll('input[name="stars"]').forEach(function (r) {
      r.addEventListener('change', update);
    });
    update();

    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      error.hidden = true;
      fetch(form.action, {
        method: 'POST',
        body: new URLSearchParams(new FormData(form)),
        headers: { 'Accept': 'application/json' },
        credentials: 'same-origin'
      }).then(function (res) {
        return res.json().then(function (body) { return { ok: res.ok, body: body }; });
      }).then(function (r) {
        if (r.ok) {
          done();
          return;
        }
        var msgs = r.body && r.body.errors ? Object.keys(r.body.errors).map(function (k) { return r.body.errors[k]; }) : [];
        error.textContent = msgs.length ? msgs.join(' ') : (r.body && r.body.message) || 'Non è stato possibile inviare la valutazione: riprova.';
        error.hidden = false;
      }).catch(function () {
        error.textContent = 'Non è stato possibile inviare la valutazione: riprova.';
        error.hidden = false;
      });
    });
  }

  function init() {
    document.querySelectorAll('form.rating-form').forEach(setup);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();

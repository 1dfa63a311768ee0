// Page behaviour of the product. No inline scripts: the Content-Security-Policy allows only
// files served from /static.
(function () {
  'use strict';

  // Video.js, bundled with Bootstrap Italia, injects a <style> element at load unless told
  // not to; the Content-Security-Policy would block it and log a violation on every page.
  window.VIDEOJS_NO_DYNAMIC_STYLE = true;

  // ---- Character counters and maximum lengths ----
  //
  // A counter (an element with data-count-for="<field id>" and data-count-max="<n>") follows
  // its field as one types or pastes. Its field no longer cuts a longer text (maxlength
  // would, silently): the text goes in, the field is marked invalid with a message next to it,
  // and the server refuses it too until it is shortened. Screen readers hear the count through
  // a polite live region of its own, only near the limit or past it, once typing pauses; the
  // visible counter itself is not live, so it does not speak on every keystroke.

  var NEAR = 20;         // characters left from which the count is announced
  var ANNOUNCE_MS = 700; // pause in typing before announcing

  // length counts characters as the server does (Unicode code points, not UTF-16 units).
  function length(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0xDC00 || c > 0xDFFF) n++; // a low surrogate completes a character already counted
    }
    return n;
  }

  function plural(n, one, many) {
    return n === 1 ? '1 ' + one : n + ' ' + many;
  }

  function overMessage(max) {
    return 'Il testo supera il massimo di ' + max + ' caratteri: accorcialo prima di salvare.';
  }

  function describedBy(field, id, on) {
    var ids = (field.getAttribute('aria-describedby') || '').split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (on) ids.unshift(id);
    if (ids.length) field.setAttribute('aria-describedby', ids.join(' '));
    else field.removeAttribute('aria-describedby');
  }

  function setupCounter(counter) {
    var field = document.getElementById(counter.getAttribute('data-count-for'));
    var max = parseInt(counter.getAttribute('data-count-max'), 10);
    if (!field || !(max > 0)) return;
    // An error the server rendered stays until the page is sent again.
    var serverInvalid = field.classList.contains('is-invalid');
    field.removeAttribute('maxlength');
    field.setAttribute('data-maxlength', String(max));
    counter.removeAttribute('aria-live');

    var live = document.createElement('span');
    live.className = 'visually-hidden';
    live.id = field.id + '-count-status';
    live.setAttribute('aria-live', 'polite');
    counter.parentNode.insertBefore(live, counter.nextSibling);

    var error = document.createElement('div');
    error.className = 'invalid-feedback d-block';
    error.id = field.id + '-length-error';
    error.textContent = overMessage(max);
    error.hidden = true;
    live.parentNode.insertBefore(error, live.nextSibling);

    var timer = null, spoken = '';
    function announce(text, now) {
      window.clearTimeout(timer);
      var say = function () {
        if (text === spoken) return;
        spoken = text;
        live.textContent = text;
      };
      if (now) say(); else timer = window.setTimeout(say, ANNOUNCE_MS);
    }

    function update(pasted) {
      var n = length(field.value);
      var over = n > max;
      counter.textContent = n + ' caratteri su ' + max + (over ? ': ' + plural(n - max, 'carattere', 'caratteri') + ' in più' : '');
      counter.classList.toggle('text-danger', over);
      error.hidden = !over;
      describedBy(field, error.id, over);
      if (over || serverInvalid) {
        field.classList.add('is-invalid');
        field.setAttribute('aria-invalid', 'true');
      } else {
        field.classList.remove('is-invalid');
        field.removeAttribute('aria-invalid');
      }
      if (over) {
        announce(overMessage(max) + ' Ora sono ' + n + '.', pasted);
      } else if (max - n <= NEAR) {
        announce(max - n === 0 ? 'Hai raggiunto il massimo di ' + max + ' caratteri.'
          : 'Restano ' + plural(max - n, 'carattere', 'caratteri') + ' su ' + max + '.', pasted);
      } else {
        announce('', false);
      }
    }

    var pasting = false;
    field.addEventListener('paste', function () { pasting = true; });
    field.addEventListener('input', function () {
      update(pasting);
      pasting = false;
    });
    update(false);
  }

  // A field with a maxlength and no counter still cuts a longer paste: it says so.
  function setupPasteNotice(field) {
    field.addEventListener('paste', function (ev) {
      var max = parseInt(field.getAttribute('maxlength'), 10);
      var data = ev.clipboardData && ev.clipboardData.getData('text');
      if (!(max > 0) || !data) return;
      var start = field.selectionStart, end = field.selectionEnd;
      var kept = field.value.length - (typeof start === 'number' && typeof end === 'number' ? end - start : 0);
      if (kept + data.length <= max) return;
      var id = field.id + '-paste-notice';
      var note = document.getElementById(id);
      if (!note) {
        note = document.createElement('small');
        note.id = id;
        note.className = 'form-text d-block text-danger';
        note.setAttribute('role', 'status');
        field.parentNode.insertBefore(note, field.nextSibling);
        describedBy(field, id, true);
      }
      note.textContent = 'Hai incollato un testo più lungo del massimo (' + max + ' caratteri): è stato accorciato.';
    });
  }

  function setupLengths() {
    var counters = document.querySelectorAll('[data-count-for][data-count-max]');
    for (var i = 0; i < counters.length; i++) setupCounter(counters[i]);
    var fields = document.querySelectorAll('input[maxlength], textarea[maxlength]');
    for (var j = 0; j < fields.length; j++) {
      if (fields[j].id) setupPasteNotice(fields[j]);
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', setupLengths);
  } else {
    setupLengths();
  }

  // Forms with data-confirm ask before submitting (e.g. removing the logo).
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement)) return;
    var msg = form.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
    }
  });
})();

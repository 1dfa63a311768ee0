// Page behaviour of the product. No inline scripts: the Content-Security-Policy allows only
// files served from /static.
(function () {
  'use strict';

  // Video.js, bundled with Bootstrap Italia, injects a <style> element at load unless told
  // not to; the Content-Security-Policy would block it and log a violation on every page.
  window.VIDEOJS_NO_DYNAMIC_STYLE = true;

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

// Sidi's only script: on narrow screens (phones, tablets, 200 % zoom) the
// main menu folds behind a 菜单 button so the page's content comes first.
// Without it the menu simply stays open above the content.
(function () {
  'use strict';
  var button = document.querySelector('.menu-button');
  var nav = document.getElementById('sidemenu');
  if (!button || !nav || !window.matchMedia) {
    return;
  }
  var narrow = window.matchMedia('(max-width: 52rem)');
  function show(open) {
    nav.classList.toggle('collapsed', !open);
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
  }
  function apply() {
    button.hidden = !narrow.matches;
    show(!narrow.matches);
  }
  button.addEventListener('click', function () {
    show(button.getAttribute('aria-expanded') !== 'true');
  });
  if (narrow.addEventListener) {
    narrow.addEventListener('change', apply);
  }
  apply();
})();

// Live parts: an element with data-live="/path" is replaced by what that
// path answers every data-live-seconds seconds (default 1: the prefecture
// page's alarms and hazards; the equipment page's telemetry charts ask for
// 10). Only changed content is swapped, nothing runs while the tab is
// hidden, and a failed fetch leaves the page as it was; without the script
// the page is complete and a reload refreshes it.
(function () {
  'use strict';
  if (!window.fetch) {
    return;
  }
  var parts = document.querySelectorAll('[data-live]');
  Array.prototype.forEach.call(parts, function (el) {
    var url = el.getAttribute('data-live');
    if (!url || url.charAt(0) !== '/' || url.charAt(1) === '/') {
      return;
    }
    var secs = parseInt(el.getAttribute('data-live-seconds'), 10) || 1;
    var busy = false;
    var last = null;
    setInterval(function () {
      if (busy || document.hidden) {
        return;
      }
      busy = true;
      fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } }).then(function (resp) {
        // A redirect (to the sign-in page, when the session ended) is not the part.
        return resp.ok && !resp.redirected ? resp.text() : null;
      }).then(function (html) {
        if (html !== null && html !== last) {
          if (last !== null) {
            el.innerHTML = html;
          }
          last = html;
        }
      }).catch(function () {}).then(function () {
        busy = false;
      });
    }, Math.max(secs, 1) * 1000);
  });
})();

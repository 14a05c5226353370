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

// Live telemetry charts: a block marked data-refresh="URL" is replaced by
// the fragment at URL every data-refresh-seconds seconds while the page is
// visible. Without the script the charts show the moment the page loaded.
(function () {
  'use strict';
  if (!window.fetch) {
    return;
  }
  var blocks = document.querySelectorAll('[data-refresh]');
  Array.prototype.forEach.call(blocks, function (el) {
    var url = el.getAttribute('data-refresh');
    var secs = parseInt(el.getAttribute('data-refresh-seconds'), 10) || 10;
    if (url.charAt(0) !== '/' || url.charAt(1) === '/') {
      return; // same origin only
    }
    function tick() {
      if (document.hidden) {
        return;
      }
      fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html !== null) {
            el.innerHTML = html;
          }
        })
        .catch(function () {});
    }
    window.setInterval(tick, Math.max(secs, 2) * 1000);
  });
})();

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

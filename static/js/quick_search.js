/* The navbar's quick search (templates/base.html, results from main.quick through htmx):
   "/" focuses it unless the user is typing in a field; Arrow keys move through the results,
   Enter opens the chosen one (with none chosen, the form goes to the search page), Escape
   closes the list. A served file, not inline: the Content-Security-Policy allows no inline
   script. */
(function () {
  var input = document.getElementById('quick-q');
  var box = document.getElementById('quick-results');
  if (!input || !box) { return; }

  function options() { return Array.prototype.slice.call(box.querySelectorAll('.quick-option')); }
  function current() { return box.querySelector('.quick-option.active'); }
  function open(show) {
    box.classList.toggle('show', show);
    input.setAttribute('aria-expanded', show ? 'true' : 'false');
    if (!show) { choose(null); }
  }
  function choose(option) {
    options().forEach(function (o) {
      o.classList.toggle('active', o === option);
      o.setAttribute('aria-selected', o === option ? 'true' : 'false');
    });
    if (option) {
      input.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView({block: 'nearest'});
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  document.addEventListener('keydown', function (event) {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var el = event.target;
    var typing = el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
    if (typing) { return; }
    event.preventDefault();
    input.focus();
    input.select();
  });

  input.addEventListener('keydown', function (event) {
    var list = options();
    var at = list.indexOf(current());
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!list.length) { return; }
      event.preventDefault();
      open(true);
      var step = event.key === 'ArrowDown' ? 1 : -1;
      choose(list[(at + step + list.length) % list.length]);
    } else if (event.key === 'Enter' && at >= 0) {
      event.preventDefault();
      window.location.assign(list[at].href);
    } else if (event.key === 'Escape') {
      if (box.classList.contains('show')) { event.preventDefault(); open(false); }
    }
  });

  document.body.addEventListener('htmx:afterSwap', function (event) {
    if (event.detail.target !== box) { return; }
    open(input.value.trim() !== '' && box.children.length > 0 && document.activeElement === input);
  });
  input.addEventListener('focus', function () {
    if (input.value.trim() && box.children.length) { open(true); }
  });
  document.addEventListener('click', function (event) {
    if (!input.form.contains(event.target)) { open(false); }
  });
})();

/* A checkbox with data-select-all="FORM_ID" ticks or clears every row checkbox of that form on
   the page (form="FORM_ID" name="ids"); no inline handlers (Content-Security-Policy). */
document.addEventListener('change', function (event) {
  var el = event.target;
  if (!el.matches || !el.matches('[data-select-all]')) { return; }
  var boxes = document.querySelectorAll('input[name="ids"][form="' + el.getAttribute('data-select-all') + '"]');
  for (var i = 0; i < boxes.length; i++) { boxes[i].checked = el.checked; }
});

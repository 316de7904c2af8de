/* A <select data-autosubmit> sends its form as soon as it changes (no inline onchange: the
   Content-Security-Policy allows no inline event handlers). */
document.addEventListener('change', function (event) {
  var el = event.target;
  if (el.matches && el.matches('[data-autosubmit]') && el.form) {
    if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
  }
});

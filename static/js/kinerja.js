// Small behaviours the pages share; no inline scripts (CSP).
document.addEventListener("click", function (e) {
  const t = e.target.closest("[data-confirm]");
  if (t && !window.confirm(t.getAttribute("data-confirm"))) { e.preventDefault(); }
});

// Small behaviours the pages share; no inline scripts (CSP).
document.addEventListener("click", function (e) {
  const t = e.target.closest("[data-confirm]");
  if (t && !window.confirm(t.getAttribute("data-confirm"))) { e.preventDefault(); }
});
// On a narrow screen the menu is one sideways-scrolling line: show the active entry.
document.addEventListener("DOMContentLoaded", function () {
  const nav = document.querySelector(".mainnav");
  const aktif = nav && nav.querySelector("a.aktif");
  if (aktif && nav.scrollWidth > nav.clientWidth) {
    nav.scrollLeft = aktif.offsetLeft - nav.offsetLeft - (nav.clientWidth - aktif.offsetWidth) / 2;
  }
});

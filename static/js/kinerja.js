// Small behaviours the pages share; no inline scripts (CSP).
(function () {
  "use strict";

  document.addEventListener("click", function (e) {
    const t = e.target.closest("[data-confirm]");
    if (t && !window.confirm(t.getAttribute("data-confirm"))) { e.preventDefault(); }
  });

  // Menus (<details data-menu>): one open at a time; a click elsewhere or Escape closes it,
  // Escape gives the focus back to the group's own button.
  function menus() { return document.querySelectorAll("details[data-menu][open]"); }
  document.addEventListener("toggle", function (e) {
    const d = e.target;
    if (!(d instanceof HTMLDetailsElement) || !d.hasAttribute("data-menu") || !d.open) { return; }
    menus().forEach(function (o) { if (o !== d) { o.open = false; } });
  }, true);
  document.addEventListener("click", function (e) {
    menus().forEach(function (o) { if (!o.contains(e.target)) { o.open = false; } });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    menus().forEach(function (o) {
      const fokus = o.contains(document.activeElement);
      o.open = false;
      if (fokus) { o.querySelector("summary").focus(); }
    });
  });
  // Leaving a menu with Tab closes it, so it never hides the page behind it.
  document.addEventListener("focusin", function (e) {
    menus().forEach(function (o) { if (!o.contains(e.target)) { o.open = false; } });
  });

  // List tables become labelled cards on a phone (kinerja.css): each cell gets its column's
  // header as data-label. Tables marked .tetap keep their grid.
  function labelTables(root) {
    const tables = (root.matches && root.matches("table.table") ? [root] : [])
      .concat(Array.from(root.querySelectorAll ? root.querySelectorAll("table.table") : []));
    tables.forEach(function (table) {
      if (table.classList.contains("tetap") || !table.tHead || !table.tHead.rows.length) { return; }
      const kepala = [];
      Array.from(table.tHead.rows[table.tHead.rows.length - 1].cells).forEach(function (th) {
        const teks = th.textContent.replace(/\s+/g, " ").trim();
        for (let i = 0; i < (th.colSpan || 1); i++) { kepala.push(teks); }
      });
      Array.from(table.tBodies).forEach(function (tb) {
        Array.from(tb.rows).forEach(function (tr) {
          let kolom = 0;
          Array.from(tr.cells).forEach(function (td) {
            if (!td.hasAttribute("data-label")) {
              const label = td.colSpan > 1 ? "" : (kepala[kolom] || "");
              td.setAttribute("data-label", label);
              if (!label) { td.classList.add("tanpa-label"); }
            }
            kolom += td.colSpan || 1;
          });
        });
      });
      table.classList.add("kartu");
    });
  }
  // A region that scrolls sideways (a wide grid on a phone) can be reached and scrolled with
  // the keyboard.
  function scrollRegions(root) {
    const els = Array.from(root.querySelectorAll ? root.querySelectorAll(".card, .gulir-x, .matriks-wadah, table.table") : []);
    els.forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        if (!el.getAttribute("aria-label") && !el.getAttribute("role")) {
          el.setAttribute("role", "region");
          const judul = el.querySelector("h2, h3, caption");
          el.setAttribute("aria-label", judul ? judul.textContent.trim() : "Tabel, geser ke samping");
        }
      }
    });
  }

  // Our file input: the chosen file's name next to the button.
  document.addEventListener("change", function (e) {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") { return; }
    const nama = input.closest(".berkas") && input.closest(".berkas").querySelector(".berkas-nama");
    if (!nama) { return; }
    const n = input.files ? input.files.length : 0;
    nama.textContent = n === 0 ? "Belum ada berkas dipilih" : n === 1 ? input.files[0].name : n + " berkas dipilih";
  });

  // Progress from the click: the button that sent a form rests with a spinner until the answer
  // comes (a PDF made in the request takes seconds), so nobody presses it twice. Disabled
  // only after the form data is taken, so the button's own name and value are still sent.
  function sibuk(btn, ya) {
    if (!btn) { return; }
    btn.classList.toggle("sibuk", ya);
    if (ya) { btn.setAttribute("aria-busy", "true"); } else { btn.removeAttribute("aria-busy"); }
    window.setTimeout(function () { btn.disabled = ya; }, 0);
  }
  document.addEventListener("submit", function (e) {
    const form = e.target;
    if (e.defaultPrevented || form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) { return; }
    const btn = e.submitter || form.querySelector("button:not([type=button])");
    sibuk(btn, true);
    // A download answers without leaving the page: give the button back after a while.
    window.setTimeout(function () { sibuk(btn, false); }, 20000);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button.sibuk").forEach(function (b) { sibuk(b, false); });
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    const elt = e.detail.elt;
    // A form's own htmx request that is not its submit (a preview on "change") must not make
    // the submit button busy: a click on it while the preview runs was lost.
    const pemicu = e.detail.requestConfig && e.detail.requestConfig.triggeringEvent;
    if (elt.matches("form") && !(pemicu && pemicu.type === "submit")) { return; }
    const btn = elt.matches("button") ? elt : (elt.matches("form") ? (e.detail.requestConfig && e.detail.requestConfig.submitter) || elt.querySelector("button:not([type=button])") : null);
    if (btn) { e.detail.elt._tombolSibuk = btn; sibuk(btn, true); }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    const btn = e.detail.elt && e.detail.elt._tombolSibuk;
    if (btn) { sibuk(btn, false); e.detail.elt._tombolSibuk = null; }
  });

  // The bell (#lonceng, hx-trigger "every 30s") does not ask while the tab is hidden: nobody
  // sees it, and every poll is a signed-in request the server pays in full. When the tab shows
  // again after a skipped poll, the bell asks once at once; its own timer goes on after that.
  // (An hx-trigger filter would need eval, which the CSP and allowEval: false forbid.)
  let loncengTerlewat = false;
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (document.hidden && e.detail.elt && e.detail.elt.id === "lonceng") {
      loncengTerlewat = true;
      e.preventDefault();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden || !loncengTerlewat) { return; }
    loncengTerlewat = false;
    const lonceng = document.getElementById("lonceng");
    if (lonceng && window.htmx) {
      window.htmx.ajax("GET", lonceng.getAttribute("hx-get"), { source: lonceng, target: lonceng, swap: "outerHTML" });
    }
  });

  function siapkan(root) {
    labelTables(root);
    scrollRegions(document);
    // The app says what is wrong in Indonesian, from the server: never the browser's bubbles.
    (root.querySelectorAll ? root.querySelectorAll("form:not([novalidate])") : []).forEach(function (f) { f.noValidate = true; });
  }
  document.addEventListener("DOMContentLoaded", function () { siapkan(document); });
  document.addEventListener("htmx:load", function (e) { siapkan(e.target); });
  window.addEventListener("resize", function () { scrollRegions(document); });
})();

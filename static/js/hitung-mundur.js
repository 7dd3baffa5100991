// Countdown to a deadline: <span data-hitung-mundur="ISO datetime">sisa ...</span>.
// The server renders the text; this only keeps it current while the page stays open (no inline
// scripts: CSP).
(function () {
  function teks(ms) {
    if (ms <= 0) { return "batas waktu sudah berakhir"; }
    if (ms > 86400000) { return "sisa " + Math.ceil(ms / 86400000) + " hari lagi"; }
    var jam = Math.floor(ms / 3600000);
    if (jam >= 1) { return "sisa " + jam + " jam lagi"; }
    return "sisa kurang dari 1 jam lagi";
  }
  function perbarui() {
    var now = Date.now();
    document.querySelectorAll("[data-hitung-mundur]").forEach(function (el) {
      var batas = Date.parse(el.getAttribute("data-hitung-mundur"));
      if (!isNaN(batas)) { el.textContent = teks(batas - now); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    perbarui();
    window.setInterval(perbarui, 60000);
  });
})();

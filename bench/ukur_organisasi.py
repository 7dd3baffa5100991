"""Rows of the organisation over time and of integrations (issues 16 and 18), measured in the
same run as the rest of `make bench`:

- restructuring: preview and apply of a draft SOTK that moves 1,000 pegawai of the bench's
  instansi (bench.restrukturisasi), against the same update written as SQL;
- incremental sync: the reference client's full pull of the bench's instansi over HTTP
  (gunicorn), then 100 changes, then the nightly incremental run (bench.sinkron); goal: the
  incremental costs under 1 % of the full pull, in requests and in seconds.
"""

from __future__ import annotations

from bench.dasar import Row
from bench.proses import Gunicorn


class OrganisasiMixin:
    """Part of Bench (bench.runner)."""

    def restrukturisasi_row(self, row: Row) -> None:
        from bench import restrukturisasi

        s = self.subjects
        # 1,000 at province scale; a small bench (tests) moves one in twenty.
        n = min(restrukturisasi.JUMLAH, max(5, self.opts.pegawai // 20))
        row.work = f"Restrukturisasi (SOTK) memindahkan {n:,} pegawai".replace(",", ".")
        restrukturisasi.ukur(
            row, instansi_id=s.instansi_id, admin_user_id=s.admin_user_id, n=n, say=self.say
        )

    def sinkron_row(self, row: Row) -> None:
        from rest_framework.authtoken.models import Token

        from bench import sinkron

        s = self.subjects
        token = Token.objects.get_or_create(user_id=s.admin_user_id)[0].key
        gun = Gunicorn(self.bare_dir, workers=2)
        try:
            hasil = sinkron.ukur(base_url=gun.url(""), token=token, instansi_id=s.instansi_id)
        finally:
            gun.stop()
        b = sinkron.baris(hasil)
        row.work, row.goal = b["work"], b["goal"]
        row.kinerja, row.limit, row.ratio = b["kinerja"], b["limit"], b["ratio"]
        row.ok = b["status"] == "tercapai"
        row.note = (
            "Klien acuan scripts/sinkron_klien.py: tarik penuh dengan kursor keyset; malam "
            "berikutnya satu permintaan perubahan/ringkasan/ lalu hanya daftar yang berubah."
        )

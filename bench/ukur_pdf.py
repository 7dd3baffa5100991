"""Rows of the PDFs: one SKP and one evaluation through the outbox job against bare WeasyPrint,
and the bulk PDFs of the largest unit on 1 and 2 worker processes.
"""

from __future__ import annotations

import io
import statistics
import time

from django.db import transaction

from bench.dasar import Row, _fmt_s, _timed
from bench.proses import Sender, Worker, _redis_ok


def isi_halaman(data: bytes) -> list[tuple]:
    """A PDF page by page as (size, text, each text run with its position, rounded to 0.1 pt),
    to compare a file rendered in a shared pass with the same file rendered alone."""
    from pypdf import PdfReader

    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        potong: list[tuple[str, float, float]] = []

        def lihat(text, cm, tm, _font, _size, potong=potong):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                potong.append((text, round(x, 1), round(y, 1)))

        teks = page.extract_text(visitor_text=lihat)
        out.append((tuple(round(float(v), 1) for v in page.mediabox), teks, tuple(potong)))
    return out


# The one-pass row: documents of the largest unit compared, and interleaved rounds.
SATU_PASS_DOKUMEN = 200
SATU_PASS_PUTARAN = 3
SATU_PASS_PER_PASS = 50


class PdfMixin:
    """Part of Bench (bench.runner): Rows of the PDFs: one SKP and one evaluation through the outbox job ag"""

    # -- 4 and 5. PDFs through the worker ---------------------------------------------------
    def pdfs(self) -> None:
        r_skp = self.row("pdf_skp", "Satu PDF SKP (job → worker)", "≤ 1.5x")
        r_ev = self.row("pdf_evaluasi", "Satu PDF evaluasi (job → worker)", "≤ 1.5x")
        n_unit = self._bulk_ids()
        r_bulk = self.row(
            "pdf_massal",
            f"PDF massal unit {len(n_unit):,} pegawai, 1 vs 2 worker",
            "efisiensi ≥ 0.8",
        )
        self.guard(
            self.row(
                "pdf_satu_pass",
                "PDF massal satu pass vs satu per dokumen",
                "≤ 0.6x",
            ),
            lambda row: self._pdf_satu_pass(row, n_unit),
        )
        redis_url = self.opts.redis_url
        if not _redis_ok(redis_url):
            for r in (r_skp, r_ev, r_bulk):
                r.belum(f"Redis tidak tersedia ({redis_url or 'REDIS_URL kosong'})")
            return
        sender = Sender(redis_url)
        worker = Worker(1, redis_url)
        try:
            self._warm(sender, worker, 1)
            self.guard(r_skp, lambda row: self._pdf_skp(row, sender, worker))
            self.guard(r_ev, lambda row: self._pdf_evaluasi(row, sender, worker))
            t1 = self._bulk(r_bulk, sender, worker, n_unit, "w1")
        finally:
            worker.stop()
        if t1 is None:
            return
        worker = Worker(2, redis_url)
        try:
            self._warm(sender, worker, 2)
            t2 = self._bulk(r_bulk, sender, worker, n_unit, "w2")
        finally:
            worker.stop()
        if t2 is None:
            return
        eff = t1 / (2 * t2)
        r_bulk.kinerja = f"1 worker {_fmt_s(t1)}, 2 worker {_fmt_s(t2)}"
        r_bulk.limit = f"linier: {_fmt_s(t1 / 2)} dengan 2 worker"
        r_bulk.ratio = f"efisiensi {eff:.2f}"
        r_bulk.ok = eff >= 0.8
        cpu = "; ".join(
            f"{n} worker: CPU {c:.0f} s dalam {w:.0f} s = {c / w:.2f} inti"
            for n, (c, w) in zip(
                ("1", "2"),
                (self.bulk_cpu.get("w1", (0, 1)), self.bulk_cpu.get("w2", (0, 1))),
                strict=True,
            )
        )
        r_bulk.note = (
            "Satu job evaluasi.pdf per pegawai (tugas yang sudah ada), dibagi ke proses worker. "
            "Tutup tahun memakai job per kelompok unit (evaluasi.tutup_unit): lihat catatan "
            "baris Tutup tahun. "
            f"Inti CPU yang benar-benar didapat proses worker: {cpu} "
            f"(di bawah ~1.0 / ~2.0 berarti mesin sedang dipakai proses lain)."
        )
        if sender.resent:
            r_bulk.note += (
                f" {sender.resent} pesan broker hilang di tengah jalan dan dikirim ulang."
            )
        self.say(f"{r_bulk.work}: {r_bulk.kinerja} | {r_bulk.limit} | {r_bulk.ratio}")

    def _pdf_satu_pass(self, row: Row, ids: list[int]) -> None:
        """The largest unit's evaluation documents (at most SATU_PASS_DOKUMEN of them) rendered
        one WeasyPrint pass per document against kinerja.pdf.render_pdf_massal, the same HTML
        both ways, rounds interleaved; CPU time of this process, so other work on the machine
        weighs less. Every file is compared with its twin page for page."""
        from evaluasi.dokumen import evaluasi_pdf_html
        from evaluasi.models import Evaluasi
        from kinerja.pdf import render_pdf, render_pdf_massal
        from kinerja.verifikasi import verifikasi_konteks

        n_unit, ids = len(ids), ids[:SATU_PASS_DOKUMEN]
        if not ids:
            row.belum("tidak ada evaluasi final di unit terbesar")
            return
        evs = Evaluasi.objects.in_bulk(ids)
        htmls = [evaluasi_pdf_html(evs[i], verifikasi_konteks()) for i in ids]
        (
            render_pdf(htmls[0]),
            render_pdf_massal(htmls[:2], per_pass=2),
        )  # fonts and caches warm, both ways
        t_satu, t_massal = [], []
        for r in range(SATU_PASS_PUTARAN):
            for cara in ("satu", "massal") if r % 2 == 0 else ("massal", "satu"):
                t0 = time.process_time()
                if cara == "satu":
                    satu = [render_pdf(h) for h in htmls]
                    t_satu.append((time.process_time() - t0) / len(htmls))
                else:
                    massal = render_pdf_massal(htmls, per_pass=SATU_PASS_PER_PASS)
                    t_massal.append((time.process_time() - t0) / len(htmls))
        identik = sum(isi_halaman(a) == isi_halaman(b) for a, b in zip(satu, massal, strict=True))
        sama_byte = sum(a == b for a, b in zip(satu, massal, strict=True))
        halaman = sum(len(isi_halaman(a)) for a in satu)
        k, b = statistics.median(t_massal), statistics.median(t_satu)
        row.kinerja = f"{k * 1000:.0f} ms/dokumen satu pass ({SATU_PASS_PER_PASS} dokumen per pass)"
        row.limit = f"{b * 1000:.0f} ms/dokumen satu pass per dokumen"
        row.ratio = f"{k / b:.2f}x"
        row.ok = k / b <= 0.6 and identik == sama_byte == len(htmls)
        row.note = (
            f"{len(htmls)} dokumen evaluasi pertama unit terbesar (unit "
            f"{self.subjects.big_unit_id}, {n_unit:,} evaluasi final), {halaman} halaman; waktu CPU proses ini, median "
            f"{SATU_PASS_PUTARAN} putaran berselang-seling (satu per dokumen: "
            f"{', '.join(f'{x * 1000:.0f}' for x in t_satu)} ms; satu pass: "
            f"{', '.join(f'{x * 1000:.0f}' for x in t_massal)} ms). Keluaran identik halaman "
            f"demi halaman (ukuran, teks, posisi teks): {identik} dari {len(htmls)} dokumen; "
            f"berkas identik byte demi byte: {sama_byte} dari {len(htmls)}. "
            "HTML dibuat sekali di luar pengukuran. Lihat temuan: tata letak per dokumen tetap."
        )

    def _warm(self, sender: Sender, worker: Worker, n: int) -> None:
        """Start-up and font loading happen before timing: n small jobs, one per process."""
        s = self.subjects
        ids = []
        with transaction.atomic():
            for i in range(n * 2):
                if s.evaluasi_id:
                    self._reset_ev_docs([s.evaluasi_id])
                    ids.append(
                        sender.create(
                            "evaluasi.pdf",
                            f"bench-warm:{time.time_ns()}:{i}",
                            evaluasi_id=s.evaluasi_id,
                        )
                    )
        sender.send(ids)
        sender.wait(ids, timeout=180, proc=worker)

    def _reset_ev_docs(self, ids: list[int]) -> None:
        from django.apps import apps

        Evaluasi = apps.get_model("evaluasi.Evaluasi")
        Evaluasi.objects.filter(pk__in=ids).update(dokumen=None, dokumen_row_version=None)

    def _pdf_skp(self, row: Row, sender: Sender, worker: Worker) -> None:
        from weasyprint import HTML

        from kinerja import jobs
        from kinerja.verifikasi import verifikasi_konteks
        from skp.dokumen import skp_pdf_html
        from skp.models import SKP

        jobs._import_handlers()
        if "skp.pdf" not in jobs._handlers:
            row.belum("job skp.pdf belum terdaftar")
            return
        skp = SKP.objects.get(pk=self.subjects.skp_id)
        html = skp_pdf_html(skp, verifikasi_konteks())
        HTML(string=html).write_pdf()  # fonts and layout caches warm, like the worker's
        t_job, t_bare = [], []
        for i in range(self.opts.pdf_repeat):  # interleaved: a change in machine load hits both
            with transaction.atomic():
                jid = sender.create("skp.pdf", f"bench-skp:{time.time_ns()}:{i}", skp_id=skp.pk)
            t0 = time.monotonic()
            sender.send([jid])
            sender.wait([jid], timeout=120, proc=worker)
            t_job.append(time.monotonic() - t0)
            t_bare.append(_timed(lambda: HTML(string=html).write_pdf()))
        self._pdf_row(row, t_job, t_bare)

    def _pdf_evaluasi(self, row: Row, sender: Sender, worker: Worker) -> None:
        from weasyprint import HTML

        from evaluasi.dokumen import evaluasi_pdf_html
        from evaluasi.models import Evaluasi
        from kinerja.verifikasi import verifikasi_konteks

        if not self.subjects.evaluasi_id:
            row.belum("evaluasi belum ada")
            return
        ev = Evaluasi.objects.get(pk=self.subjects.evaluasi_id)
        html = evaluasi_pdf_html(ev, verifikasi_konteks())
        HTML(string=html).write_pdf()
        t_job, t_bare = [], []
        for i in range(self.opts.pdf_repeat):
            with transaction.atomic():
                self._reset_ev_docs([ev.pk])
                jid = sender.create(
                    "evaluasi.pdf", f"bench-ev:{time.time_ns()}:{i}", evaluasi_id=ev.pk
                )
            t0 = time.monotonic()
            sender.send([jid])
            sender.wait([jid], timeout=120, proc=worker)
            t_job.append(time.monotonic() - t0)
            t_bare.append(_timed(lambda: HTML(string=html).write_pdf()))
        self._pdf_row(row, t_job, t_bare)

    def _pdf_row(self, row: Row, t_job: list[float], t_bare: list[float]) -> None:
        k, b = statistics.median(t_job), statistics.median(t_bare)
        row.kinerja = f"{_fmt_s(k)} (median {len(t_job)}x)"
        row.limit = f"{_fmt_s(b)} WeasyPrint saja"
        row.ratio = f"{k / b:.2f}x"
        row.ok = k / b <= 1.5

    def _bulk_ids(self) -> list[int]:
        from django.apps import apps

        Evaluasi = apps.get_model("evaluasi.Evaluasi")
        ids = list(
            Evaluasi.objects.filter(
                pegawai__unit_kerja_id=self.subjects.big_unit_id, jenis="tahunan", status="final"
            )
            .order_by("pegawai__nama", "pk")
            .values_list("pk", flat=True)
        )
        if self.opts.bulk_limit:
            ids = ids[: self.opts.bulk_limit]
        return ids

    def _bulk(
        self, row: Row, sender: Sender, worker: Worker, ids: list[int], tag: str
    ) -> float | None:
        if not ids:
            row.belum("tidak ada evaluasi final di unit terbesar")
            return None
        try:
            with transaction.atomic():
                self._reset_ev_docs(ids)
                stamp = time.time_ns()
                job_ids = [
                    sender.create("evaluasi.pdf", f"bench-bulk:{tag}:{stamp}:{e}", evaluasi_id=e)
                    for e in ids
                ]
            cpu0, t0 = worker.cpu_seconds(), time.monotonic()
            sender.send(job_ids)
            sender.wait(job_ids, timeout=60 + 5 * len(ids), proc=worker)
            wall = time.monotonic() - t0
            self.bulk_cpu[tag] = (worker.cpu_seconds() - cpu0, wall)
            return wall
        except Exception as exc:
            row.belum(f"{type(exc).__name__}: {str(exc)[:160]}")
            return None

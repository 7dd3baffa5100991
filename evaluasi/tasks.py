"""Background work of the evaluation stage, run through the kinerja outbox (kinerja.jobs)."""

from __future__ import annotations

from django.urls import reverse

from kinerja import jobs


@jobs.handler("evaluasi.pdf")
def render_evaluasi_pdf(job, *, evaluasi_id: int) -> dict:
    """Issue one Dokumen Evaluasi Kinerja Pegawai (no-op when already current)."""
    from evaluasi.models import Evaluasi
    from evaluasi.services import evaluasi_dokumen_render

    ev = Evaluasi.objects.get(pk=evaluasi_id)
    doc = evaluasi_dokumen_render(evaluasi=ev)
    return {"url": reverse("evaluasi:dokumen", args=[doc.pk]), "dokumen_id": doc.pk}


@jobs.handler("evaluasi.tutup_tahun")
def tutup_tahun(job, *, periode_id: int) -> dict:
    """The year-end close; progress is reported on the job row the page polls."""
    from evaluasi.services import tutup_tahun_jalankan

    return tutup_tahun_jalankan(periode_id=periode_id, job=job)

"""Background work of the evaluation stage, run through the kinerja outbox (kinerja.jobs)."""

from __future__ import annotations

from django.urls import reverse

from kinerja import jobs


@jobs.handler("evaluasi.pdf", label="Dokumen evaluasi kinerja (PDF)")
def render_evaluasi_pdf(job, *, evaluasi_id: int) -> dict:
    """Issue one Dokumen Evaluasi Kinerja Pegawai (no-op when already current)."""
    from evaluasi.models import Evaluasi
    from evaluasi.services import evaluasi_dokumen_render

    ev = Evaluasi.objects.get(pk=evaluasi_id)
    doc = evaluasi_dokumen_render(evaluasi=ev)
    return {"url": reverse("evaluasi:dokumen", args=[doc.pk]), "dokumen_id": doc.pk}


@jobs.handler("evaluasi.tutup_tahun", label="Penutupan tahun")
def tutup_tahun(job, *, periode_id: int):
    """The year-end close: lock the year and hand each unit to `evaluasi.tutup_unit`. The job
    then waits; its unit jobs report overall progress on it (the row the page polls), and the
    last one writes the recap and completes it."""
    from evaluasi.services import tutup_tahun_jalankan

    return tutup_tahun_jalankan(periode_id=periode_id, job=job)


@jobs.handler("evaluasi.tutup_unit", label="Penutupan tahun per unit kerja")
def tutup_unit(
    job,
    *,
    periode_id: int,
    putaran: int,
    induk_id: int,
    unit_ids: list[int] | None = None,
    unit_id: int | None = None,
) -> dict:
    """Units of a year-end close run (small units share a job): their PDFs and zips; the last
    unit of the run writes the recap. (`unit_id`: one unit, as jobs recorded before units were
    grouped.) A job that fails for good fails the close job with it (the admin can start the
    close again)."""
    from evaluasi.services import tutup_units_jalankan

    try:
        return tutup_units_jalankan(
            periode_id=periode_id,
            unit_ids=unit_ids if unit_ids is not None else [unit_id],
            putaran=putaran,
            induk_id=induk_id,
        )
    except Exception as exc:
        if job.percobaan >= jobs.max_attempts():
            jobs.fail(induk_id, str(exc))
        raise


@jobs.handler("pohon.xlsx")
def pohon_xlsx(job, *, unit_id: int | None, tahun: int, instansi_id: int) -> dict:
    """A large pohon kinerja spreadsheet, built and stored for the user who asked (access is
    resolved again for them, at run time)."""
    from evaluasi.pohon.xlsx import pohon_unduh_jalankan

    return pohon_unduh_jalankan(job, unit_id=unit_id, tahun=tahun, instansi_id=instansi_id)

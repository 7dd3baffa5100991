"""Background work of the planning stage: the SKP PDF (ids in, a file row out)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kinerja import jobs
from kinerja.models import Dokumen, Job


@jobs.handler("skp.pdf", label="Dokumen PDF SKP")
def skp_pdf(job: Job, *, skp_id: int) -> dict[str, Any]:
    """Render and store the SKP PDF. Idempotent by the job's kunci (the SKP's version and
    last change); the newest document of an SKP supersedes the earlier ones."""
    from kinerja.pdf import dokumen_simpan
    from kinerja.verifikasi import verifikasi_konteks
    from skp import selectors
    from skp.dokumen import skp_pdf_render

    skp = selectors.skp_detail_qs().get(pk=skp_id)
    jobs.progress(job, 1, 3, "Menyusun isi SKP")
    # The document code comes first: the QR on the page points at its verification URL.
    verifikasi = verifikasi_konteks()
    data = skp_pdf_render(skp, verifikasi)
    jobs.progress(job, 2, 3, "Menyimpan dokumen")
    peg = skp.pegawai
    dok = dokumen_simpan(
        jenis=Dokumen.Jenis.SKP,
        judul=f"SKP {peg.nama} {skp.periode.tahun} versi {skp.versi} ({skp.get_status_display()})",
        data=data,
        nama_berkas=f"SKP-{peg.nip or peg.pk}-{skp.periode.tahun}-v{skp.versi}.pdf",
        objek=skp,
        instansi_id=peg.instansi_id,
        pegawai_id=peg.pk,
        versi=skp.versi,
        kode=verifikasi["kode"],
    )
    jobs.progress(job, 3, 3, "Dokumen siap diunduh")
    return {
        "url": reverse("skp:pdf_unduh", args=[skp.pk, dok.pk]),
        "dokumen_id": dok.pk,
        "kode": dok.kode,
    }

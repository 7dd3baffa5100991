"""The push job (outbox handler `siasn.kirim`): fetch by id, call kirim.jalankan."""

from __future__ import annotations

from kinerja import jobs


@jobs.handler("siasn.kirim", label="Pengiriman data ke SIASN")
def kirim(
    job,
    *,
    evaluasi_id: int,
    jenis: str,
    instansi_id: int | None = None,
    alasan: str = "",
    paksa: bool = False,
    diminta_oleh: int | None = None,
) -> dict:
    """Send one evaluation's record to SIASN (idempotent: content SIASN has is not resent)."""
    from evaluasi.siasn.kirim import jalankan

    return jalankan(
        job=job,
        evaluasi_id=evaluasi_id,
        jenis=jenis,
        alasan=alasan,
        paksa=paksa,
        diminta_oleh=diminta_oleh,
    )

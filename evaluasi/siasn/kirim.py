"""The push: every final evaluation goes to SIASN through the outbox (kinerja.jobs).

- Scheduling: a final evaluation's save (finalisation, a keberatan decision that changes it, a
  re-finalisation after reopening) records one outbox job per (evaluation, row_version) in the
  same transaction (`jadwalkan`, from the post_save signal in apps.py). Nothing happens while
  the push is off.
- Sending (`jalankan`, the job `siasn.kirim`): the record's RekamanSiasn row is locked for the
  whole send, so one record is never in flight twice; content SIASN has already accepted (same
  fingerprint) is not sent again, so repeats of a job, a "tetap" keberatan decision or a second
  job for the same content send nothing. A changed result is sent with SIASN's `id` of the
  record, so SIASN updates it instead of adding a second one.
- Outcomes, each logged as a Kiriman row with SIASN's status and answer: accepted; refused
  (4xx / success false: logged, not retried, shown for "kirim ulang"); held (a code or SIASN's
  id of the pegawai is missing: logged, not sent); a timeout, network error or 5xx is logged and
  the job raises, so the outbox retries it with backoff up to KINERJA_JOB_MAKS_PERCOBAAN.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from evaluasi.models import Evaluasi, Jenis, Keberatan
from evaluasi.siasn import klien, rules
from evaluasi.siasn.models import IdentitasSiasn, Kiriman, RekamanSiasn
from evaluasi.siasn.rekaman import rekaman_satu
from kinerja import jobs

log = logging.getLogger(__name__)
TASK = "siasn.kirim"
# The identity fields are not content: learning SIASN's id of a pegawai changes no result.
_BUKAN_ISI = {"id", "pnsDinilaiId", "pnsDinilaiOrang"}


class GangguanSiasn(RuntimeError):
    """Raised by the job after logging a transient failure: the outbox retries with backoff."""


def aktif() -> bool:
    return klien.konfigurasi() is not None


def jenis_rekaman(ev: Evaluasi) -> str:
    return rules.SKP22 if ev.jenis == Jenis.TAHUNAN else rules.PERIODIK


def kunci(ev: Evaluasi) -> str:
    return f"siasn:{jenis_rekaman(ev)}:{ev.pk}:v{ev.row_version}"


def jadwalkan(ev: Evaluasi, *, user: Any = None, alasan: str = "") -> None:
    """Record the job that sends this final evaluation (inside the caller's transaction)."""
    if ev.status != Evaluasi.Status.FINAL or not aktif():
        return
    kw: dict[str, Any] = {"evaluasi_id": ev.pk, "jenis": jenis_rekaman(ev)}
    if alasan:
        kw["alasan"] = alasan
    jobs.enqueue(TASK, kunci=kunci(ev), user=user, instansi_id=ev.pegawai.instansi_id, **kw)


def sidik(isi: dict) -> str:
    data = {k: v for k, v in isi.items() if k not in _BUKAN_ISI}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _alasan(ev: Evaluasi, rek: RekamanSiasn) -> str:
    if not rek.sidik_terkirim:
        return Kiriman.Alasan.FINAL
    diubah = Keberatan.objects.filter(
        evaluasi=ev, status=Keberatan.Status.DIPUTUS, keputusan=Keberatan.Keputusan.DIUBAH
    )
    if rek.terkirim_pada:
        diubah = diubah.filter(diputus_pada__gte=rek.terkirim_pada)
    return Kiriman.Alasan.KEBERATAN if diubah.exists() else Kiriman.Alasan.PERUBAHAN


def _catat(base: dict, status: str, *, isi: dict, jawaban=None, pesan: str = "", **kw) -> Kiriman:
    teks = pesan
    if jawaban is not None:
        # SIASN's own answer, after our reading of it when there is one.
        teks = f"{pesan}\nJawaban SIASN: {jawaban.isi}" if pesan else jawaban.isi
        kw.setdefault("kode_status", jawaban.kode_status)
        kw.setdefault("durasi_ms", jawaban.durasi_ms)
    return Kiriman.objects.create(**base, status=status, isi=isi, jawaban=teks[:4000], **kw)


def jalankan(
    *,
    job: Any,
    evaluasi_id: int,
    jenis: str,
    alasan: str = "",
    paksa: bool = False,
    diminta_oleh: int | None = None,
) -> dict:
    """Send one record (the job's body). Returns what happened; raises GangguanSiasn after
    logging a failure worth retrying."""
    cfg = klien.konfigurasi()
    if cfg is None:
        return {"status": "nonaktif"}
    gangguan = ""
    with transaction.atomic():
        ev = Evaluasi.objects.select_related("pegawai", "periode").get(pk=evaluasi_id)
        rek = RekamanSiasn.objects.get_or_create(evaluasi=ev, jenis=jenis)[0]
        rek = RekamanSiasn.objects.select_for_update().get(pk=rek.pk)
        if ev.status != Evaluasi.Status.FINAL:
            return {"status": "bukan_final"}
        isi = rules.payload(jenis, rekaman_satu(ev, jenis))
        s = sidik(isi)
        if s == rek.sidik_terkirim and not paksa:
            return {"status": "sama", "id_siasn": rek.id_siasn}
        base = {
            "instansi_id": ev.pegawai.instansi_id,
            "evaluasi": ev,
            "pegawai_id": ev.pegawai_id,
            "jenis": jenis,
            "tahun": ev.periode.tahun,
            "urutan": ev.urutan,
            "job": job if getattr(job, "pk", None) else None,
            "percobaan": getattr(job, "percobaan", 1) or 1,
            "alasan": alasan or _alasan(ev, rek),
            "sidik": s,
            "diminta_oleh_id": diminta_oleh,
        }
        id_key = "pnsDinilaiOrang" if jenis == rules.SKP22 else "pnsDinilaiId"
        if not isi[id_key]:
            try:
                pns = klien.pns_id(cfg, ev.pegawai.nip or "")
            except klien.Ditolak as exc:
                # SIASN does not know the NIP: held until it does; bad credentials: refused.
                status = (
                    Kiriman.Status.DITOLAK
                    if isinstance(exc, klien.TokenDitolak)
                    else Kiriman.Status.DITAHAN
                )
                k = _catat(base, status, isi=isi, jawaban=exc.jawaban, pesan=exc.pesan)
                return {"status": k.status, "kiriman": k.pk}
            except klien.Gangguan as exc:
                _catat(base, Kiriman.Status.GAGAL, isi=isi, jawaban=exc.jawaban, pesan=exc.pesan)
                gangguan = exc.pesan
            else:
                IdentitasSiasn.objects.update_or_create(
                    pegawai_id=ev.pegawai_id, defaults={"pns_id": pns}
                )
                isi[id_key] = pns
        if not gangguan:
            hilang = rules.kosong(jenis, isi)
            if hilang:
                k = _catat(
                    base,
                    Kiriman.Status.DITAHAN,
                    isi=isi,
                    pesan="Belum dikirim: " + ", ".join(hilang) + " kosong. Lengkapi tabel "
                    "referensi SIASN (atau data pejabat penilai), lalu kirim ulang.",
                )
                return {"status": k.status, "kiriman": k.pk, "kosong": hilang}
            if rek.id_siasn:
                isi["id"] = rek.id_siasn
            try:
                j = klien.kirim(cfg, jenis, isi)
            except klien.Ditolak as exc:
                k = _catat(
                    base, Kiriman.Status.DITOLAK, isi=isi, jawaban=exc.jawaban, pesan=exc.pesan
                )
                return {"status": k.status, "kiriman": k.pk}
            except klien.Gangguan as exc:
                _catat(base, Kiriman.Status.GAGAL, isi=isi, jawaban=exc.jawaban, pesan=exc.pesan)
                gangguan = exc.pesan
            else:
                id_siasn = klien.id_dari(j) or rek.id_siasn
                k = _catat(base, Kiriman.Status.TERKIRIM, isi=isi, jawaban=j, id_siasn=id_siasn)
                rek.id_siasn = id_siasn
                rek.sidik_terkirim = s
                rek.terkirim_pada = timezone.now()
                rek.save(update_fields=["id_siasn", "sidik_terkirim", "terkirim_pada"])
                return {"status": k.status, "kiriman": k.pk, "id_siasn": id_siasn}
    # Logged and committed above; raising now lets the outbox retry with backoff.
    raise GangguanSiasn(gangguan)

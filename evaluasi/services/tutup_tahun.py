"""The year-end close: the admin's start, the close job's data phase, one job per group of units
(documents and zips), and the run's finish (the recap).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from evaluasi.models import (
    Evaluasi,
    Jenis,
)
from evaluasi.services._common import _require
from evaluasi.services.evaluasi import evaluasi_dokumen_render, evaluasi_dokumen_render_massal
from kinerja import cache_cakupan, jobs
from kinerja.models import Periode
from kinerja.riwayat import layanan


# --- year-end close ------------------------------------------------------------------------
@layanan
@transaction.atomic
def penutupan_mulai(*, user: Any, periode: Periode):
    """Start the year-end close as a background job (the instansi admin). Idempotent.

    The job (`evaluasi.tutup_tahun`, the one the close page polls) locks the year and hands each
    unit to its own job (`evaluasi.tutup_unit`); it stays pending until the last unit job has
    written the recap and completed it."""
    from evaluasi.models import PenutupanTahun

    _require(
        user,
        "mulai",
        PenutupanTahun(periode=periode),
        "Hanya admin instansi yang dapat menutup tahun.",
    )
    from kinerja.models import Job

    pen, _ = PenutupanTahun.objects.select_for_update().get_or_create(
        periode=periode, defaults={"dimulai_oleh": user}
    )
    if pen.job_id and pen.job.status in (Job.Status.PENDING, Job.Status.RUNNING):
        return pen  # already under way: a double click starts nothing
    # Each run is its own job (a later run picks up results changed since, e.g. by a
    # keberatan); the run itself changes nothing that is already current.
    runs = Job.objects.filter(
        task="evaluasi.tutup_tahun", kunci__startswith=f"evaluasi-tutup:{periode.pk}:"
    ).count()
    job = jobs.enqueue(
        "evaluasi.tutup_tahun",
        kunci=f"evaluasi-tutup:{periode.pk}:{runs + 1}",
        user=user,
        periode_id=periode.pk,
    )
    pen.job = job
    pen.save(update_fields=["job"])
    return pen


def _sidik(data: Any) -> str:
    # Our own plain data, built in a fixed order: no key sorting needed (100k rows at the close).
    return hashlib.sha256(json.dumps(data, default=str, separators=(",", ":")).encode()).hexdigest()


# A unit job reports progress at most this often (seconds); tests set 0 to see every step.
TUTUP_PROGRES_SETIAP = 1.0


def _tahunan_final(periode_id: int):
    return Evaluasi.objects.filter(
        periode_id=periode_id, jenis=Jenis.TAHUNAN, status=Evaluasi.Status.FINAL
    )


def tutup_tahun_jalankan(*, periode_id: int, job: Any = None) -> dict | jobs.Waiting:
    """The close job's data phase: lock the year, record this run's units (ArsipUnit rows, in
    one statement) and hand each unit to its own job (`evaluasi.tutup_unit`: that unit's PDFs
    and zip, any worker). The unit job that finds every unit of the run done writes the recap
    and completes this job; until then this job waits (`jobs.Waiting`) and the unit jobs write
    its progress. The number of queries does not grow with the number of units.

    The run is identified by the job's id: the same job running again (a resume after its unit
    jobs stalled) keeps what its units finished; a new job is a new run, which redoes only what
    changed (documents, zips and the recap are only re-made when what they hold changed).
    Without a job (a shell), a job row is made and the units run here, one after the other."""
    from evaluasi.models import PenutupanTahun
    from kinerja.models import Job

    di_sini = job is None
    if di_sini:
        instansi_id = Periode.objects.values_list("instansi_id", flat=True).get(pk=periode_id)
        job = Job.objects.create(
            task="evaluasi.tutup_tahun",
            kwargs={"periode_id": periode_id},
            status=Job.Status.RUNNING,
            pemilik="lokal",
            percobaan=1,
            instansi_id=instansi_id,
        )
    putaran = job.pk
    # The page-cache watcher reads the ArsipUnit INSERT ... SELECT as a write of this year's
    # instansi only inside dalam_periode (every write of this block is the year's data).
    with transaction.atomic(), cache_cakupan.dalam_periode(periode_id):
        pen, per_unit = _penutupan_kunci(periode_id)
        periode = pen.periode
        if periode.status != Periode.Status.DITUTUP:
            # Saved (not .update()) so the year's history says who closed it and when.
            periode.status = Periode.Status.DITUTUP
            periode._change_reason = "tutup tahun"
            if pen.dimulai_oleh_id:
                periode._history_user = pen.dimulai_oleh
            periode.save(update_fields=["status"])
        lanjut = pen.putaran == putaran  # this run again: keep what its units finished
        tanpa_unit = per_unit.pop(None, 0)
        per_unit = sorted(
            per_unit.items(),
            key=lambda t: (-t[1], t[0]),  # the largest units first: workers finish together
        )
        _arsip_unit_catat(pen.pk, [u for u, _ in per_unit], putaran, lanjut=lanjut)
        if not lanjut:
            pen.putaran = putaran
            pen.status = PenutupanTahun.Status.BERJALAN
            pen.unit_total = len(per_unit)
            pen.dokumen_total = sum(n for _, n in per_unit)
            if not (di_sini or pen.job_id == job.pk):
                pen.job_id = job.pk
            # By its period (unique), as the watcher already knows it: not by id, which a
            # fresh worker process would first have to look up.
            PenutupanTahun.objects.filter(periode_id=periode_id).update(
                putaran=pen.putaran,
                status=pen.status,
                unit_total=pen.unit_total,
                dokumen_total=pen.dokumen_total,
                job_id=pen.job_id,
            )
        if not di_sini:
            jobs.enqueue_many(
                "evaluasi.tutup_unit",
                [
                    (
                        f"evaluasi-tutup:{periode_id}:{putaran}:{units[0]}",
                        {
                            "periode_id": periode_id,
                            "unit_ids": units,
                            "putaran": putaran,
                            "induk_id": job.pk,
                        },
                    )
                    for units in kelompok_unit(per_unit, settings.KINERJA_TUTUP_DOKUMEN_PER_JOB)
                ],
                instansi_id=periode.instansi_id,
            )
    # Final evaluations of pegawai without a unit: no zip to go into; issued here.
    if tanpa_unit:
        for ev in (
            _tahunan_final(periode_id)
            .filter(pegawai__instansi_id=periode.instansi_id, pegawai__unit_kerja__isnull=True)
            .order_by("pk")
        ):
            evaluasi_dokumen_render(evaluasi=ev)
    # The progress total and message go into the job row's update after this attempt (one
    # write, not two); the units' own reports take over from there.
    menunggu = jobs.Waiting(
        pesan=f"{pen.unit_total} unit kerja dibagikan ke pekerja",
        total=pen.dokumen_total + pen.unit_total + 1,
    )
    if di_sini:
        for u, _ in per_unit:
            tutup_unit_jalankan(periode_id=periode_id, unit_id=u, putaran=putaran, induk_id=job.pk)
    elif per_unit and not lanjut:
        # A new run whose units were all just handed out: none was done when this transaction
        # committed, and the unit that finishes last runs the check itself.
        return menunggu
    hasil = _tutup_periksa(pen_id=pen.pk, putaran=putaran, induk_id=job.pk)
    if di_sini:
        return hasil or {}
    return hasil if hasil is not None else menunggu


def _penutupan_kunci(periode_id: int) -> tuple[Any, dict[int | None, int]]:
    """The year's PenutupanTahun row, locked, with its period and starter, and the final annual
    evaluations per unit (`_dokumen_per_unit`), in one query on PostgreSQL (the count as a
    subquery of the lock's SELECT: one round trip less per close). The admin's start
    (`penutupan_mulai`) made the row before this job was enqueued; a shell run makes it here.

    The count may be read before the lock is granted (a concurrent run of the same year holds
    it): it decides only which units this run records, as a read a moment earlier would; every
    "all units done" decision is taken after the lock (`_tutup_periksa`)."""
    from django.db.models import TextField
    from django.db.models.expressions import RawSQL

    from evaluasi.models import PenutupanTahun
    from kinerja.models import Pegawai

    pg = connection.vendor == "postgresql"
    qs = PenutupanTahun.objects.select_for_update(of=("self",)).select_related(
        "periode", "dimulai_oleh"
    )
    if pg:
        q = connection.ops.quote_name
        pen_t, per_t = q(PenutupanTahun._meta.db_table), q(Periode._meta.db_table)
        qs = qs.annotate(
            per_unit_json=RawSQL(
                "SELECT COALESCE(json_agg(json_build_array(c.u, c.n)), '[]'::json)::text FROM ("
                + _PER_UNIT.format(
                    ev=q(Evaluasi._meta.db_table),
                    peg=q(Pegawai._meta.db_table),
                    periode=f"{pen_t}.{q('periode_id')}",
                    instansi=f"{per_t}.{q('instansi_id')}",
                )
                + ") c",
                [Jenis.TAHUNAN.value, Evaluasi.Status.FINAL.value],
                output_field=TextField(),
            )
        )
    try:
        pen = qs.get(periode_id=periode_id)
    except PenutupanTahun.DoesNotExist:
        PenutupanTahun.objects.get_or_create(periode_id=periode_id)
        pen = qs.get(periode_id=periode_id)
    if pg:
        return pen, dict(map(tuple, json.loads(pen.per_unit_json)))
    return pen, _dokumen_per_unit(periode_id, pen.periode.instansi_id)


# Final annual evaluations (`_tahunan_final`) per unit of their pegawai (NULL: no unit), through
# the instansi's pegawai (its index), not a scan of every pegawai.
_PER_UNIT = (
    "SELECT p.unit_kerja_id AS u, COUNT(*) AS n FROM {ev} e "
    "JOIN {peg} p ON p.id = e.pegawai_id "
    "WHERE e.periode_id = {periode} AND e.jenis = %s AND e.status = %s "
    "AND p.instansi_id = {instansi} GROUP BY p.unit_kerja_id"
)


def _dokumen_per_unit(periode_id: int, instansi_id: int) -> dict[int | None, int]:
    """`_PER_UNIT` on its own (SQLite, tests): unit id (None: pegawai without a unit) -> final
    annual evaluations. Plain SQL: building it through the ORM took ~0.8 ms CPU per close."""
    from kinerja.models import Pegawai

    q = connection.ops.quote_name
    sql = _PER_UNIT.format(
        ev=q(Evaluasi._meta.db_table), peg=q(Pegawai._meta.db_table), periode="%s", instansi="%s"
    )
    with connection.cursor() as c:
        # The params in the order of the placeholders: periode, jenis, status, instansi.
        c.execute(
            sql,
            [periode_id, Jenis.TAHUNAN.value, Evaluasi.Status.FINAL.value, instansi_id],
        )
        return dict(c.fetchall())


def kelompok_unit(per_unit: list[tuple[int, int]], dokumen: int) -> list[list[int]]:
    """Units (id, documents), largest first, cut into jobs of about `dokumen` documents: a unit
    at least that big is a job of its own; smaller ones share a job until it holds that many.
    (One job per unit made 13,561 jobs of 7 documents on average at provincial scale: recording
    them was a third of the close's data phase.)"""
    groups: list[list[int]] = []
    cur: list[int] = []
    n = 0
    for unit_id, k in per_unit:
        if k >= dokumen:
            groups.append([unit_id])
            continue
        cur.append(unit_id)
        n += k
        if n >= dokumen:
            groups.append(cur)
            cur, n = [], 0
    if cur:
        groups.append(cur)
    return groups


def _arsip_unit_catat(pen_id: int, unit_ids: list[int], putaran: int, *, lanjut: bool) -> None:
    """One ArsipUnit row per unit of this run, in one statement (the units as one array
    parameter). A run that resumes keeps its rows; a new run takes them over from the start."""
    from evaluasi.models import ArsipUnit

    if not unit_ids:
        return
    on_conflict = (
        "DO NOTHING"
        if lanjut
        else "DO UPDATE SET putaran = EXCLUDED.putaran, putaran_selesai = 0, terbit = 0"
    )
    if connection.vendor != "postgresql":
        # SQLite (`make run`): the same rows through the ORM's upsert; it has no array
        # parameter, and a list bound as one failed the close five times.
        rows = [
            ArsipUnit(penutupan_id=pen_id, unit_kerja_id=u, sidik="", jumlah=0, putaran=putaran)
            for u in unit_ids
        ]
        if lanjut:
            ArsipUnit.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        else:
            ArsipUnit.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["penutupan", "unit_kerja"],
                update_fields=["putaran", "putaran_selesai", "terbit"],
                batch_size=500,
            )
        return
    with connection.cursor() as c:
        c.execute(
            # Quoted as Django quotes it: the page-cache watcher reads only a quoted table name
            # (unquoted, this INSERT ended every cached page at each close).
            f"INSERT INTO {connection.ops.quote_name(ArsipUnit._meta.db_table)} "
            "(penutupan_id, unit_kerja_id, sidik, jumlah, putaran, putaran_selesai, terbit) "
            "SELECT %s, u, '', 0, %s, 0, 0 FROM unnest(%s::bigint[]) AS u "
            f"ON CONFLICT (penutupan_id, unit_kerja_id) {on_conflict}",
            # The array as its text literal: psycopg's list dumper took ~6 µs per id (0.2 s
            # for a province's 13,500 units), the join takes ~0.4 µs.
            [pen_id, putaran, "{" + ",".join(str(int(u)) for u in unit_ids) + "}"],
        )


def tutup_units_jalankan(
    *, periode_id: int, unit_ids: list[int], putaran: int, induk_id: int | None = None
) -> dict:
    """A close job's units (job `evaluasi.tutup_unit`), one after the other; the run's finish is
    checked once, after the last. A unit that fails names itself (`UnitGagal`)."""
    for unit_id in unit_ids:
        try:
            tutup_unit_jalankan(
                periode_id=periode_id,
                unit_id=unit_id,
                putaran=putaran,
                induk_id=induk_id,
                periksa=False,
            )
        except Exception as exc:
            raise UnitGagal(unit_id, exc) from exc
    selesai = _tutup_periksa(pen_id=_pen_id(periode_id), putaran=putaran, induk_id=induk_id)
    return {"unit": unit_ids, "rekap": selesai is not None}


class UnitGagal(RuntimeError):
    def __init__(self, unit_id: int, exc: Exception):
        super().__init__(f"Unit kerja {unit_id} gagal diproses: {exc}")
        self.unit_id = unit_id


def _pen_id(periode_id: int) -> int:
    from evaluasi.models import PenutupanTahun

    return PenutupanTahun.objects.values_list("pk", flat=True).get(periode_id=periode_id)


def _tutup_progres(*, pen_id: int, putaran: int, induk_id: int | None) -> None:
    """Overall progress of the run on the close job: units done and documents checked/issued."""
    from django.db.models import Count, Q, Sum

    from evaluasi.models import ArsipUnit, PenutupanTahun

    if induk_id is None:
        return
    pen = PenutupanTahun.objects.only("unit_total", "dokumen_total").get(pk=pen_id)
    agg = ArsipUnit.objects.filter(penutupan_id=pen_id, putaran=putaran).aggregate(
        dok=Sum("terbit"), unit=Count("pk", filter=Q(putaran_selesai=putaran))
    )
    dok, unit = agg["dok"] or 0, agg["unit"] or 0
    jobs.progress_id(
        induk_id,
        dok + unit,
        pen.dokumen_total + pen.unit_total + 1,
        f"Unit kerja selesai {unit} dari {pen.unit_total} · dokumen {dok} dari {pen.dokumen_total}",
    )


def tutup_unit_jalankan(
    *,
    periode_id: int,
    unit_id: int,
    putaran: int,
    induk_id: int | None = None,
    periksa: bool = True,
) -> dict:
    """One unit of a close run (job `evaluasi.tutup_unit`): issue the unit's Dokumen Evaluasi
    Kinerja Pegawai that are not current, zip them when the set changed, mark the unit done for
    this run, and, if it was the last, finish the run (`_tutup_periksa`). Running it again does
    nothing twice: current documents are skipped, an unchanged zip is kept."""
    import time

    from django.db.models import F
    from django.db.models.functions import Greatest

    from evaluasi import rekap
    from evaluasi.models import ArsipUnit

    arsip = ArsipUnit.objects.select_related("penutupan__periode", "unit_kerja", "dokumen").get(
        penutupan__periode_id=periode_id, unit_kerja_id=unit_id
    )
    pen = arsip.penutupan
    if pen.putaran != putaran:
        return {"unit": unit_id, "usang": True}  # a later run took over
    # Writes only while the row still belongs to this run (a later run may have started since).
    mine = ArsipUnit.objects.filter(pk=arsip.pk, putaran=putaran)
    if arsip.putaran_selesai != putaran:
        evs = list(
            _tahunan_final(periode_id)
            .filter(pegawai__unit_kerja_id=unit_id)
            .select_related("pegawai", "dokumen")
            .order_by("pegawai__nama", "pk")
        )
        lapor = [time.monotonic()]

        def setelah(i: int) -> None:
            if time.monotonic() - lapor[0] >= TUTUP_PROGRES_SETIAP and i < len(evs):
                mine.update(terbit=Greatest(F("terbit"), i))
                _tutup_progres(pen_id=pen.pk, putaran=putaran, induk_id=induk_id)
                lapor[0] = time.monotonic()

        # The unit's documents not current, rendered in shared WeasyPrint passes.
        docs = evaluasi_dokumen_render_massal(evaluasi=evs, setelah=setelah)
        items = list(zip(evs, docs, strict=True))
        sidik = _sidik(sorted(d.sha256 for _, d in items))
        if arsip.sidik != sidik or not arsip.dokumen_id:
            arsip.dokumen = rekap.zip_unit(arsip=arsip, items=items)
        mine.update(
            dokumen=arsip.dokumen,
            sidik=sidik,
            jumlah=len(items),
            terbit=len(items),
            putaran_selesai=putaran,
        )
        _tutup_progres(pen_id=pen.pk, putaran=putaran, induk_id=induk_id)
    if not periksa:
        return {"unit": unit_id}
    selesai = _tutup_periksa(pen_id=pen.pk, putaran=putaran, induk_id=induk_id)
    return {"unit": unit_id, "rekap": selesai is not None}


def _tutup_periksa(*, pen_id: int, putaran: int, induk_id: int | None) -> dict | None:
    """Finish the run once every unit of it is done: write the recap (only when its content
    changed), mark the close done and complete the close job. Race-safe: callers take the
    PenutupanTahun row's lock in turn; a unit marks itself done before it asks, so the last
    unit to finish always finds the run complete, and whoever is first to find it so does the
    work - later callers find it done. Returns the close's result, None while units remain."""
    from evaluasi import rekap
    from evaluasi.models import ArsipUnit, PenutupanTahun

    with transaction.atomic():
        pen = (
            PenutupanTahun.objects.select_for_update(of=("self",))
            .select_related("periode__instansi")
            .get(pk=pen_id)
        )
        if pen.putaran != putaran:
            return None
        if pen.status != PenutupanTahun.Status.SELESAI:
            if (
                ArsipUnit.objects.filter(penutupan=pen, putaran=putaran)
                .exclude(putaran_selesai=putaran)
                .exists()
            ):
                return None
            periode = pen.periode
            # The collector stays paused (as inside data_rekap) until the recap's rows are
            # freed: re-enabled while they live, it walked them and promoted them, and their
            # promotion set off full collections of the whole process (bench/temuan.md,
            # putaran kedua belas, "tutup").
            with rekap._tanpa_gc():
                data = rekap.data_rekap(periode)
                sidik = data["sidik"]
                if pen.rekap_sidik != sidik or not pen.rekap_id:
                    pen.rekap = rekap.xlsx_rekap(periode=periode, data=data, penutupan=pen)
                    pen.rekap_sidik = sidik
                ringkas = data["ringkas"]
                del data
            tanpa_unit = ringkas["tanpa_unit"]
            pen.status = PenutupanTahun.Status.SELESAI
            pen.selesai = pen.selesai or timezone.now()
            pen.ringkasan = {
                "dokumen": pen.dokumen_total + tanpa_unit,
                "unit": pen.unit_total,
                "tanpa_evaluasi_final": ringkas["tanpa_evaluasi_final"],
            }
            # By its period (unique), which the page-cache watcher reads without a lookup.
            PenutupanTahun.objects.filter(periode_id=pen.periode_id).update(
                rekap=pen.rekap,
                rekap_sidik=pen.rekap_sidik,
                status=pen.status,
                selesai=pen.selesai,
                ringkasan=pen.ringkasan,
            )
        hasil = {
            "url": reverse("evaluasi:tutup_tahun") + f"?tahun={pen.periode.tahun}",
            "dokumen": pen.ringkasan.get("dokumen", 0),
        }
        if induk_id is not None:
            jobs.complete(induk_id, hasil)
    return hasil

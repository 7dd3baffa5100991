"""Generator stages 2-4: SKP, dialog and evaluasi of the year, written with COPY."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from bench.copy import Tables
from bench.tabel import (
    BERAKHLAK,
    DIATAS,
    DIBAWAH,
    HASIL,
    KO_W,
    OBJEK,
    PAIRS,
    PREDIKAT_W,
    SESUAI,
    Org,
    Progress,
    StageMissing,
    _model,
    _pick,
    _ts,
)
from kinerja import rules


def _stage_skp(T: Tables, org: Org, rng: random.Random, progress: Progress, **_: Any) -> None:
    SKP = _model("skp.SKP")
    RHK = _model("skp.RencanaHasilKerja")
    Indikator = _model("skp.Indikator")
    Perilaku = _model("skp.EkspektasiPerilaku")
    if not all((SKP, RHK, Indikator, Perilaku)):
        raise StageMissing("model skp belum ada")
    y = org.tahun
    rated = [p for p in org.pegawai if p.jenis_asn != "pejabat_negara"]
    # Pass 1: ids, so a member's RHK can point at the penilai's (cascading).
    plan: dict[int, dict] = {}
    for p in rated:
        two = p.jenis_jab in ("pelaksana", "fungsional") and rng.random() < 0.04
        jpt = p.jenis_jab.startswith("jpt")
        n_utama = 3 if jpt else 2
        n_tambahan = 0 if jpt else 1
        kunci = [
            uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(n_utama + n_tambahan)
        ]
        skp_v1 = T[SKP].new_id()
        skp_v2 = T[SKP].new_id() if two else None
        rhk_v1 = [T[RHK].new_id() for _ in kunci]
        rhk_v2 = [T[RHK].new_id() for _ in kunci] if two else None
        extra = (T[RHK].new_id(), uuid.UUID(int=rng.getrandbits(128), version=4)) if two else None
        plan[p.id] = {
            "two": two,
            "jpt": jpt,
            "n_utama": n_utama,
            "kunci": kunci,
            "skp": (skp_v1, skp_v2),
            "rhk": (rhk_v1, rhk_v2),
            "extra": extra,
        }
        cur_rhk = rhk_v2 or rhk_v1
        p.rhk = [
            (cur_rhk[k], kunci[k], "utama" if k < n_utama else "tambahan")
            for k in range(len(kunci))
        ]
        if extra:
            p.rhk.append((extra[0], extra[1], "tambahan"))
            org.penugasan_rhk[p.id] = (extra[0], skp_v2)
        p.skp_id = skp_v2 or skp_v1
    diajukan = _ts(org, rng, dt.date(y, 1, 10), dt.date(y, 1, 25))
    for p in rated:
        pl = plan[p.id]
        penilai_rhk = org.by_id[p.penilai].rhk if p.penilai and p.penilai in plan else []
        obj = rng.choice(OBJEK)
        versions = [(pl["skp"][0], pl["rhk"][0], 1, not pl["two"])]
        if pl["two"]:
            versions.append((pl["skp"][1], pl["rhk"][1], 2, True))
        for skp_id, rhk_ids, versi, terkini in versions:
            disetujui = diajukan + dt.timedelta(days=2 + rng.randrange(5))
            if versi == 2:
                diajukan_v = _ts(org, rng, dt.date(y, 4, 1), dt.date(y, 6, 30))
                disetujui = diajukan_v + dt.timedelta(days=1 + rng.randrange(3))
            else:
                diajukan_v = diajukan
            T[SKP].add(
                {
                    "id": skp_id,
                    "pegawai_id": p.id,
                    "periode_id": org.instansi[p.inst].periode_id,
                    "versi": versi,
                    "status": "disetujui",
                    "pendekatan": "kualitatif" if rng.random() < 0.08 else "kuantitatif",
                    "jenis": "jpt" if pl["jpt"] else "ja_jf",
                    "pejabat_penilai_id": p.penilai,
                    "atasan_pejabat_penilai_id": p.atasan,
                    "terkini": terkini,
                    "alasan_perubahan": "Penugasan baru disetujui" if versi == 2 else "",
                    "diajukan_pada": diajukan_v,
                    "disetujui_pada": disetujui,
                    "dibuat": diajukan_v - dt.timedelta(days=3),
                    "diperbarui": disetujui,
                    "dibuat_oleh_id": p.user_id,
                    "row_version": 1,
                    "dukungan_sumber_daya": "Anggaran DPA, sarana kerja kantor",
                    "skema_pertanggungjawaban": "Laporan bulanan kepada atasan langsung",
                    "konsekuensi": "Sesuai ketentuan disiplin dan penilaian kinerja",
                }
            )
            for k, rid in enumerate(rhk_ids):
                utama = k < pl["n_utama"]
                atas = penilai_rhk[k % len(penilai_rhk)][0] if (utama and penilai_rhk) else None
                T[RHK].add(
                    {
                        "id": rid,
                        "skp_id": skp_id,
                        "jenis": "utama" if utama else "tambahan",
                        "urutan": k + 1,
                        "rencana": rng.choice(HASIL).format(x=obj if k == 0 else rng.choice(OBJEK)),
                        "rhk_atasan_id": atas,
                        "kunci": pl["kunci"][k],
                        "perspektif": rng.choice(
                            ["penerima_layanan", "proses_bisnis", "penguatan_internal", "anggaran"]
                        )
                        if pl["jpt"]
                        else "",
                        "pemberi_tugas_id": None,
                        "tim_id": None,
                        "sumber": "matriks" if atas else "manual",
                        "peran_hasil_id": None,
                        "row_version": 1,
                    }
                )
                for a_i in range(1 + (rng.random() < 0.5)):
                    aspek = ("kuantitas", "kualitas", "waktu")[
                        a_i if a_i < 1 else rng.randrange(1, 3)
                    ]
                    T[Indikator].add(
                        {
                            "rencana_id": rid,
                            "aspek": aspek,
                            "indikator": {
                                "kuantitas": "Jumlah dokumen yang diselesaikan",
                                "kualitas": "Persentase dokumen tanpa revisi",
                                "waktu": "Ketepatan waktu penyelesaian",
                            }[aspek],
                            "target": {
                                "kuantitas": f"{rng.randrange(2, 24)} dokumen",
                                "kualitas": f"{rng.choice([80, 85, 90, 95])} %",
                                "waktu": f"{rng.choice([3, 6, 12])} bulan",
                            }[aspek],
                            "sumber_data": "Aplikasi e-Kinerja",
                            "urutan": a_i + 1,
                        }
                    )
            if versi == 2 and pl["extra"]:
                rid, kunci = pl["extra"]
                T[RHK].add(
                    {
                        "id": rid,
                        "skp_id": skp_id,
                        "jenis": "tambahan",
                        "urutan": len(rhk_ids) + 1,
                        "rencana": f"Terlaksananya penugasan {rng.choice(OBJEK)}",
                        "rhk_atasan_id": None,
                        "kunci": kunci,
                        "perspektif": "",
                        "sumber": "penugasan",
                        "row_version": 1,
                        "pemberi_tugas_id": None,
                        "tim_id": None,
                        "peran_hasil_id": None,
                    }
                )
                T[Indikator].add(
                    {
                        "rencana_id": rid,
                        "aspek": "kuantitas",
                        "indikator": "Jumlah keluaran penugasan",
                        "target": "1 laporan",
                        "sumber_data": "Laporan penugasan",
                        "urutan": 1,
                    }
                )
            for nilai in BERAKHLAK:
                T[Perilaku].add(
                    {
                        "skp_id": skp_id,
                        "nilai": nilai,
                        "ekspektasi_khusus": "Menyelesaikan layanan paling lambat 3 hari kerja"
                        if rng.random() < 0.15
                        else "",
                    }
                )
        progress.step(1, "skp")


# --- stage: dialog --------------------------------------------------------------------------
def _stage_dialog(T: Tables, org: Org, rng: random.Random, progress: Progress, **_: Any) -> None:
    UB = _model("dialog.UmpanBalik")
    Permintaan = _model("dialog.PermintaanUmpanBalik")
    Peluang = _model("dialog.Peluang")
    Penugasan = _model("dialog.Penugasan")
    Klar = _model("dialog.KlarifikasiEkspektasi")
    Realisasi = _model("dialog.Realisasi")
    Bukti = _model("dialog.BuktiDukung")
    Dialog = _model("dialog.DialogKinerja")
    TL = _model("dialog.TindakLanjut")
    if not all((UB, Realisasi, Penugasan)):
        raise StageMissing("model dialog belum ada")
    y = org.tahun
    windows = [j for j in rules.jendela_periodik(y, "triwulanan") if j.mulai <= org.clock.date()]
    peluang_by_inst: dict[int, list[int]] = {}
    if Peluang is not None:
        for inst in org.instansi:
            ids = []
            for du, head in inst.dinas[1:4]:
                ids.append(
                    T[Peluang].add(
                        {
                            "unit_kerja_id": du,
                            "pemberi_id": head,
                            "periode_id": inst.periode_id,
                            "judul": f"Tim percepatan {rng.choice(OBJEK)}",
                            "uraian": "Membantu penyelesaian pekerjaan lintas unit.",
                            "hasil_diharapkan": "Laporan akhir kegiatan",
                            "terbuka": True,
                            "batas_pendaftaran": dt.date(y, 6, 30),
                            "dibuat": org.clock,
                        }
                    )
                )
            peluang_by_inst[inst.id] = ids
    for p in org.pegawai:
        if p.jenis_asn == "pejabat_negara":
            progress.step(1, "dialog")
            continue
        inst = org.instansi[p.inst]
        periode = inst.periode_id
        peers = org.unit_members.get(p.unit_id, [])
        # Feedback: from the penilai on a RHK, from a peer on a BerAKHLAK value.
        if p.penilai and p.rhk:
            w = rng.choice(windows)
            T[UB].add(
                {
                    "penerima_id": p.id,
                    "pemberi_id": p.penilai,
                    "hubungan": "pejabat_penilai",
                    "rencana_hasil_kerja_id": rng.choice(p.rhk)[0],
                    "perilaku": "",
                    "jenis": "apresiasi" if rng.random() < 0.7 else "perbaikan",
                    "cara": rng.choice(["langsung", "tertulis"]),
                    "isi": "Capaian sudah baik, pertahankan ketepatan waktu laporan.",
                    "periode_id": periode,
                    "urutan": w.urutan,
                    "permintaan_id": None,
                    "dibuat": _ts(org, rng, w.mulai, w.selesai),
                }
            )
        if len(peers) > 1:
            q = org.pegawai[rng.choice(peers)]
            if q.id != p.id and q.jenis_asn != "pejabat_negara":
                w = rng.choice(windows)
                pid = None
                if Permintaan is not None and rng.random() < 0.3:
                    pid = T[Permintaan].add(
                        {
                            "peminta_id": p.id,
                            "diminta_id": q.id,
                            "rencana_hasil_kerja_id": None,
                            "perilaku": "kolaboratif",
                            "pesan": "Mohon masukan kerja sama tim.",
                            "status": "dijawab",
                            "dibuat": _ts(org, rng, w.mulai, w.selesai),
                        }
                    )
                hub = (
                    "bawahan"
                    if q.penilai == p.id
                    else ("pejabat_penilai" if p.penilai == q.id else "rekan")
                )
                T[UB].add(
                    {
                        "penerima_id": p.id,
                        "pemberi_id": q.id,
                        "hubungan": hub,
                        "rencana_hasil_kerja_id": None,
                        "perilaku": rng.choice(BERAKHLAK),
                        "jenis": "apresiasi" if rng.random() < 0.8 else "perbaikan",
                        "cara": "tertulis",
                        "isi": "Terima kasih atas bantuannya.",
                        "periode_id": periode,
                        "urutan": w.urutan,
                        "permintaan_id": pid,
                        "dibuat": _ts(org, rng, w.mulai, w.selesai),
                    }
                )
        # Penugasan (assignments) routed through the penilai.
        if p.id in org.penugasan_rhk or (p.penilai and rng.random() < 0.02):
            heads = [h for _, h in inst.dinas if h not in (p.id, p.penilai)]
            if heads and p.penilai:
                pemberi = rng.choice(heads)
                accepted = p.id in org.penugasan_rhk
                status = "disetujui" if accepted else rng.choice(["ditolak", "diusulkan"])
                rhk_id, skp_v2 = org.penugasan_rhk.get(p.id, (None, None))
                dibuat = _ts(org, rng, dt.date(y, 3, 1), dt.date(y, 5, 30))
                pen = T[Penugasan].add(
                    {
                        "pemberi_id": pemberi,
                        "penerima_id": p.id,
                        "periode_id": periode,
                        "uraian": f"Membantu kegiatan {rng.choice(OBJEK)}",
                        "hasil_diharapkan": "Laporan kegiatan",
                        "sukarela": False,
                        "peluang_id": None,
                        "tim_id": None,
                        "kelompok": None,
                        "status": status,
                        "alasan": "Beban kerja sudah penuh" if status == "ditolak" else "",
                        "jenis_rhk": "tambahan",
                        "diusulkan_oleh_id": org.by_id[pemberi].user_id,
                        "diputuskan_oleh_id": p.penilai if status != "diusulkan" else None,
                        "diputuskan": dibuat + dt.timedelta(days=2)
                        if status != "diusulkan"
                        else None,
                        "rencana_hasil_kerja_id": rhk_id,
                        "dibuat": dibuat,
                        "row_version": 1,
                    }
                )
                if accepted and Klar is not None:
                    T[Klar].add(
                        {
                            "penugasan_id": pen,
                            "ekspektasi": "Laporan selesai akhir triwulan.",
                            "catatan": "",
                            "waktu": dibuat + dt.timedelta(days=3),
                            "dicatat_oleh_id": p.penilai,
                            "skp_id": skp_v2,
                        }
                    )
        # Realisasi per RHK per window, some with a link as bukti dukung.
        for rid, kunci, _jenis in p.rhk:
            for w in windows:
                real = T[Realisasi].add(
                    {
                        "pegawai_id": p.id,
                        "periode_id": periode,
                        "urutan": w.urutan,
                        "rencana_hasil_kerja_id": rid,
                        "rhk_kunci": kunci,
                        "uraian": f"Realisasi {w.label.lower()}: kegiatan terlaksana sesuai rencana",
                        "angka": rng.randrange(1, 20),
                        "satuan": "dokumen",
                        "diperbarui": _ts(org, rng, w.mulai, w.selesai),
                        "row_version": 1,
                    }
                )
                if Bukti is not None and rng.random() < 0.25:
                    T[Bukti].add(
                        {
                            "realisasi_id": real,
                            "judul": "Tautan laporan",
                            "berkas": "",
                            "tautan": f"https://drive.contoh.go.id/laporan/{real}",
                            "diunggah_oleh_id": p.user_id,
                            "dibuat": org.clock,
                        }
                    )
        # Dialog kinerja (check-in) with the penilai.
        if Dialog is not None and p.penilai and rng.random() < 0.25:
            w = rng.choice(windows)
            did = T[Dialog].add(
                {
                    "pegawai_id": p.id,
                    "pemimpin_id": p.penilai,
                    "periode_id": periode,
                    "jenis": rng.choice(["check_in", "check_in", "bimbingan", "konseling"]),
                    "waktu": _ts(org, rng, w.mulai, w.selesai),
                    "agenda": "Tinjauan capaian triwulan",
                    "catatan": "Sepakat mempercepat laporan.",
                    "dibuat": org.clock,
                    "row_version": 1,
                }
            )
            if TL is not None and rng.random() < 0.5:
                T[TL].add(
                    {
                        "dialog_id": did,
                        "uraian": "Menyerahkan draf laporan",
                        "penanggung_jawab_id": p.id,
                        "tenggat": min(w.selesai, dt.date(y, 12, 31)),
                        "selesai": rng.random() < 0.6,
                        "selesai_pada": None,
                    }
                )
        progress.step(1, "dialog")


def _stage_evaluasi(T: Tables, org: Org, rng: random.Random, progress: Progress, **_: Any) -> None:
    Evaluasi = _model("evaluasi.Evaluasi")
    KO = _model("evaluasi.KinerjaOrganisasi")
    PRHK = _model("evaluasi.PenilaianRHK")
    Catatan = _model("evaluasi.CatatanPerilaku")
    if Evaluasi is None or KO is None:
        raise StageMissing("model evaluasi belum ada")
    from evaluasi import rules as erules

    y = org.tahun
    windows = [("periodik", j.urutan, j) for j in rules.jendela_periodik(y, "triwulanan")]
    windows.append(("tahunan", None, rules.jendela_tahunan(y, "triwulanan")))
    # Kinerja organisasi of every headed unit, every window.
    ko: dict[tuple[int, str, int | None], str] = {}
    for inst in org.instansi:
        admin = inst.admin_user_id
        for uid in inst.units:
            if uid not in org.unit_kepala:
                continue
            for jenis, urutan, j in windows:
                pred = _pick(rng, KO_W)
                ko[(uid, jenis, urutan)] = pred
                T[KO].add(
                    {
                        "unit_kerja_id": uid,
                        "periode_id": inst.periode_id,
                        "jenis": jenis,
                        "urutan": urutan,
                        "predikat": pred,
                        "capaian": "Capaian perjanjian kinerja unit sesuai laporan triwulan.",
                        "ditetapkan_oleh_id": admin,
                        "ditetapkan_pada": _ts(
                            org, rng, j.selesai, j.selesai + dt.timedelta(days=10)
                        ),
                        "row_version": 1,
                    }
                )
    kepala_ids = set(org.unit_kepala.values())
    for p in org.pegawai:
        if p.jenis_asn == "pejabat_negara" or not p.penilai or p.skp_id is None:
            progress.step(1, "evaluasi")
            continue
        periode = org.instansi[p.inst].periode_id
        penilai_user = org.by_id[p.penilai].user_id
        for jenis, urutan, j in windows:
            pred = _pick(rng, PREDIKAT_W)
            hasil, perilaku = rng.choice(PAIRS[pred])
            saran = hasil
            if p.id in kepala_ids and (p.unit_id, jenis, urutan) in ko:
                hasil = erules.rating_hasil_dari_organisasi(ko[(p.unit_id, jenis, urutan)])
                saran = hasil
                pred = erules.predikat(hasil, perilaku)
            elif rng.random() < 0.1:
                saran = SESUAI if hasil != SESUAI else DIATAS
            final = jenis == "periodik" or rng.random() < 0.95
            when = _ts(org, rng, j.selesai, j.selesai + dt.timedelta(days=14))
            eid = T[Evaluasi].add(
                {
                    "pegawai_id": p.id,
                    "periode_id": periode,
                    "skp_id": p.skp_id,
                    "jenis": jenis,
                    "urutan": urutan,
                    "pejabat_penilai_id": p.penilai,
                    "atasan_pejabat_penilai_id": p.atasan,
                    "rating_hasil_kerja": hasil,
                    "rating_perilaku_kerja": perilaku,
                    "predikat": pred,
                    "saran_rating_hasil_kerja": saran,
                    "alasan_ubah_rating": ""
                    if saran == hasil
                    else "Capaian melampaui target utama.",
                    "ipk": None,
                    "predikat_ipk": "",
                    "catatan": "Pertahankan kinerja.",
                    "status": "final" if final else "draft",
                    "finalisasi_pada": when if final else None,
                    "finalisasi_oleh_id": penilai_user if final else None,
                    "alasan_buka_kembali": "",
                    "dokumen_id": None,
                    "dokumen_row_version": None,
                    "dibuat": when - dt.timedelta(days=2),
                    "diperbarui": when,
                    "row_version": 1,
                }
            )
            if PRHK is not None:
                for _rid, kunci, rjenis in p.rhk:
                    r = hasil if rng.random() < 0.7 else rng.choice((DIBAWAH, SESUAI, DIATAS))
                    T[PRHK].add(
                        {
                            "evaluasi_id": eid,
                            "rhk_kunci": kunci,
                            "jenis": rjenis,
                            "rencana": "",
                            "rating": r,
                            "catatan": "",
                        }
                    )
            if Catatan is not None and jenis == "tahunan":
                for nilai in BERAKHLAK:
                    T[Catatan].add(
                        {
                            "evaluasi_id": eid,
                            "nilai": nilai,
                            "catatan": "Sesuai ekspektasi." if rng.random() < 0.8 else "",
                        }
                    )
        progress.step(1, "evaluasi")

"""Generator stage 1: the organisation (instansi, units, positions, pegawai, logins, teams,
periods) and who rates whom.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth.hashers import make_password

from bench.copy import Tables
from bench.tabel import (
    BIDANG,
    DAERAH,
    DINAS,
    OBJEK,
    PASSWORD,
    ROMAN,
    SEKSI,
    STAF,
    Inst,
    Org,
    Peg,
    Progress,
    _name,
    _split,
    tahun_safe,
)
from kinerja import rules


def _stage_org(
    T: Tables,
    org: Org,
    rng: random.Random,
    progress: Progress,
    *,
    pegawai: int,
    big_unit: int | None,
    **_: Any,
) -> None:
    from kinerja.models import Instansi, Jabatan, Pegawai, Periode, TimKerja, UnitKerja, User
    from kinerja.models_riwayat import MasaPenilai, RiwayatJabatan

    J = Jabatan.Jenis
    password = make_password(PASSWORD, salt="kinerjabench")
    n_inst = max(1, round(pegawai / 2500))
    if pegawai >= 400:
        n_inst = max(n_inst, 2)
    weights = [3.0] + [0.7 + 0.6 * rng.random() for _ in range(n_inst - 1)]
    sizes = [int(pegawai * w / sum(weights)) for w in weights]
    sizes[0] += pegawai - sum(sizes)
    if big_unit is None:
        big_unit = min(1000, max(20, pegawai // 5))
    big_unit = min(big_unit, sizes[0] - 20)
    used_nip: set[str] = set()
    tmt_base = dt.date(tahun_safe(org.tahun) - 30, 1, 1)

    def nip_for(jenis_asn: str) -> str | None:
        if jenis_asn == Pegawai.JenisASN.PEJABAT_NEGARA:
            return None
        pppk = jenis_asn == Pegawai.JenisASN.PPPK
        while True:
            lahir = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 33))
            tmt_year = max(lahir.year + 19 + rng.randrange(0, 10), tmt_base.year)
            tmt_year = min(tmt_year, org.tahun - 1)
            if tmt_year < lahir.year + 18:
                continue
            tmt = dt.date(tmt_year, rng.randrange(1, 13), 1)
            nip = rules.make_nip(lahir, tmt, rng.random() < 0.5, rng.randrange(0, 999), pppk=pppk)
            if nip not in used_nip:
                used_nip.add(nip)
                return nip

    def golongan_for(jenis_jab: str, jenis_asn: str) -> str:
        if jenis_asn == "pppk":
            return rng.choice(["V", "VII", "IX", "X", "XI"])
        if jenis_asn == "pejabat_negara":
            return ""
        return {
            "jpt_madya": "IV/d",
            "jpt_pratama": rng.choice(["IV/c", "IV/d"]),
            "administrator": rng.choice(["IV/a", "IV/b"]),
            "pengawas": rng.choice(["III/c", "III/d", "IV/a"]),
        }.get(jenis_jab, rng.choice(["II/c", "II/d", "III/a", "III/b", "III/c", "III/d"]))

    jab_info: dict[int, rules.JabatanInfo] = {}
    unit_info: dict[int, rules.UnitInfo] = {}

    def unit(
        inst: Inst, nama: str, induk: int | None, mandiri: bool = False, singkatan: str = ""
    ) -> int:
        uid = T[UnitKerja].add(
            {
                "instansi_id": inst.id,
                "induk_id": induk,
                "nama": nama,
                "mandiri": mandiri,
                "singkatan": singkatan,
                "penilai_jabatan_id": None,
            }
        )
        inst.units.append(uid)
        unit_info[uid] = rules.UnitInfo(uid, mandiri, None)
        org.unit_members[uid] = []
        return uid

    def jab(
        unit_id: int,
        nama: str,
        jenis: str,
        atasan: int | None,
        kepala: bool = False,
        jenjang: str = "",
    ) -> int:
        jid = T[Jabatan].add(
            {
                "unit_kerja_id": unit_id,
                "nama": nama,
                "jenis": jenis,
                "jenjang": jenjang,
                "atasan_id": atasan,
                "kepala_unit": kepala,
            }
        )
        jab_info[jid] = rules.JabatanInfo(jid, jenis, atasan, unit_id, kepala)
        return jid

    def peg(
        inst: Inst,
        i_inst: int,
        unit_id: int,
        jabatan_id: int,
        jenis_jab: str,
        jenis_asn: str | None = None,
    ) -> Peg:
        if jenis_asn is None:
            jenis_asn = (
                "pppk" if jenis_jab in ("pelaksana", "fungsional") and rng.random() < 0.2 else "pns"
            )
        nip = nip_for(jenis_asn)
        nama = _name(rng)
        pid = T[Pegawai].new_id()
        username = nip or f"pn{pid}"
        uid = T[User].add(
            {
                "username": username,
                "password": password,
                "first_name": nama[:150],
                "email": f"{username}@contoh.go.id",
                "is_active": True,
                "date_joined": org.clock,
                "admin_instansi_id": None,
            }
        )
        status = "aktif"
        if jenis_jab in ("pelaksana", "fungsional") and rng.random() < 0.01:
            status = "cuti"
        p = Peg(
            pid,
            uid,
            i_inst,
            inst.id,
            unit_id,
            jabatan_id,
            jenis_jab,
            nip,
            nama,
            jenis_asn,
            golongan_for(jenis_jab, jenis_asn),
            status,
        )
        org.pegawai.append(p)
        org.by_id[pid] = p
        inst.pegawai.append(len(org.pegawai) - 1)
        org.unit_members[unit_id].append(len(org.pegawai) - 1)
        progress.step(1, "organisasi")
        return p

    def staff(
        inst: Inst, i_inst: int, unit_id: int, atasan_jab: int, n: int, names=STAF
    ) -> list[Peg]:
        kinds = rng.sample(names, k=min(len(names), 2 + rng.randrange(0, 2)))
        jids = [jab(unit_id, nm, jenis, atasan_jab, jenjang=jj) for nm, jenis, jj in kinds]
        out = []
        for k in range(n):
            w = k % len(jids)
            out.append(peg(inst, i_inst, unit_id, jids[w], kinds[w][1]))
        return out

    small_done = False
    for i, size in enumerate(sizes):
        prov = i == 0
        daerah = "Sumatera Utara" if prov else DAERAH[(i - 1) % len(DAERAH)]
        suffix = "" if prov or i <= len(DAERAH) else f" {ROMAN((i - 1) // len(DAERAH) + 1)}"
        kota = i > 1 and daerah in (
            "Medan",
            "Binjai",
            "Tebing Tinggi",
            "Pematangsiantar",
            "Tanjungbalai",
            "Sibolga",
            "Padangsidimpuan",
            "Gunungsitoli",
        )
        nama = (
            f"Pemerintah Provinsi {daerah}"
            if prov
            else f"Pemerintah {'Kota' if kota else 'Kabupaten'} {daerah}{suffix}"
        )
        kode = f"G-{i:03d}"
        iid = T[Instansi].add(
            {
                "kode": kode,
                "nama": nama,
                "jenis": "daerah",
                "kota": "Medan" if prov else daerah,
                "pejabat_keberatan_id": None,
            }
        )
        inst = Inst(iid, kode, nama)
        org.instansi.append(inst)
        inst.admin_user_id = T[User].add(
            {
                "username": f"admin.{kode.lower()}",
                "password": password,
                "first_name": "Admin BKD",
                "email": f"admin.{kode.lower()}@contoh.go.id",
                "is_active": True,
                "date_joined": org.clock,
                "admin_instansi_id": iid,
            }
        )
        inst.periode_id = T[Periode].add(
            {
                "instansi_id": iid,
                "tahun": org.tahun,
                "frekuensi": "triwulanan",
                "status": "evaluasi",
                "batas_perencanaan": dt.date(org.tahun, 1, 31),
            }
        )
        root = unit(inst, nama, None)
        pim_title = "Gubernur" if prov else ("Wali Kota" if kota else "Bupati")
        j_pim = jab(root, pim_title, J.PIMPINAN_INSTANSI, None, kepala=True)
        inst.pim_jab = j_pim
        peg(inst, i, root, j_pim, J.PIMPINAN_INSTANSI, jenis_asn="pejabat_negara")
        setda = unit(inst, "Sekretariat Daerah", root, singkatan="Setda")
        j_sekda = jab(
            setda, "Sekretaris Daerah", J.JPT_MADYA if prov else J.JPT_PRATAMA, j_pim, kepala=True
        )
        sekda = peg(inst, i, setda, j_sekda, J.JPT_MADYA if prov else J.JPT_PRATAMA)
        org.unit_kepala[setda] = sekda.id
        remaining = size - 2
        if prov and big_unit:
            # A hospital: one unit kerja of `big_unit` pegawai; the nursing head rates half.
            rs = unit(
                inst,
                f"Rumah Sakit Umum Daerah Provinsi {daerah}",
                root,
                mandiri=True,
                singkatan="RSUD",
            )
            org.big_unit_id = rs
            j_dir = jab(rs, "Direktur RSUD", J.JPT_PRATAMA, j_sekda, kepala=True)
            d = peg(inst, i, rs, j_dir, J.JPT_PRATAMA)
            org.unit_kepala[rs] = d.id
            j_kep = jab(rs, "Kepala Bidang Keperawatan", J.ADMINISTRATOR, j_dir)
            j_yan = jab(rs, "Kepala Bidang Pelayanan Medik", J.ADMINISTRATOR, j_dir)
            kep = peg(inst, i, rs, j_kep, J.ADMINISTRATOR)
            peg(inst, i, rs, j_yan, J.ADMINISTRATOR)
            org.big_team_leader = kep.id
            team = (big_unit - 3) // 2 + (big_unit - 3) % 2
            staff(
                inst,
                i,
                rs,
                j_kep,
                team,
                names=[
                    ("Perawat Ahli Pertama", "fungsional", "ahli_pertama"),
                    ("Perawat Terampil", "fungsional", "terampil"),
                ],
            )
            staff(
                inst,
                i,
                rs,
                j_yan,
                big_unit - 3 - team,
                names=[
                    ("Dokter Ahli Pertama", "fungsional", "ahli_pertama"),
                    ("Dokter Ahli Muda", "fungsional", "ahli_muda"),
                    ("Pengadministrasi Umum", "pelaksana", ""),
                ],
            )
            remaining -= big_unit
        n_dinas = max(1, min(len(DINAS) + 1, remaining // 120))
        parts = _split(remaining, n_dinas, rng)
        for d_i, dsize in enumerate(parts):
            if d_i == 0:
                # Biro under the Sekretariat Daerah, headed by the Sekda.
                du, j_head, head_pid = setda, j_sekda, sekda.id
                rest = dsize
            else:
                dn = DINAS[(d_i - 1) % len(DINAS)]
                du = unit(inst, dn, root)
                j_head = jab(du, f"Kepala {dn}", J.JPT_PRATAMA, j_sekda, kepala=True)
                head = peg(inst, i, du, j_head, J.JPT_PRATAMA)
                head_pid = head.id
                org.unit_kepala[du] = head.id
                rest = dsize - 1
            inst.dinas.append((du, head_pid))
            if rest <= 0:
                continue
            n_bid = max(1, min(5, rest // 30))
            for b_i, bsize in enumerate(_split(rest, n_bid, rng)):
                if bsize <= 0:
                    continue
                if d_i == 0:
                    bnama = f"Biro {BIDANG[b_i % len(BIDANG)]}"
                elif b_i == 0:
                    bnama = "Sekretariat"
                else:
                    bnama = f"Bidang {BIDANG[(b_i - 1) % len(BIDANG)]}"
                bu = unit(inst, bnama, du)
                j_kb = jab(
                    bu,
                    "Sekretaris" if bnama == "Sekretariat" else f"Kepala {bnama}",
                    J.ADMINISTRATOR,
                    j_head,
                    kepala=True,
                )
                kb = peg(inst, i, bu, j_kb, J.ADMINISTRATOR)
                org.unit_kepala[bu] = kb.id
                brest = bsize - 1
                if brest <= 0:
                    continue
                n_sek = max(1, min(4, brest // 8))
                sparts = _split(brest, n_sek, rng)
                if not small_done and prov and len(sparts) > 1 and sparts[0] > 6:
                    sparts[1] += sparts[0] - 6
                    sparts[0] = 6
                for s_i, ssize in enumerate(sparts):
                    if ssize <= 0:
                        continue
                    snama = f"{'Subbagian' if bnama == 'Sekretariat' else 'Seksi'} {SEKSI[s_i % len(SEKSI)]}"
                    su = unit(inst, snama, bu)
                    j_ks = jab(su, f"Kepala {snama}", J.PENGAWAS, j_kb, kepala=True)
                    vacant = ssize > 3 and rng.random() < 0.01 and small_done
                    if not vacant:
                        ks = peg(inst, i, su, j_ks, J.PENGAWAS)
                        org.unit_kepala[su] = ks.id
                    n_staff = ssize if vacant else ssize - 1
                    staff(inst, i, su, j_ks, n_staff)
                    if not small_done and prov and n_staff == 5 and not vacant:
                        org.small_team_leader = ks.id
                        small_done = True

    # Who rates whom, with the kernel's own rule, per instansi.
    for inst in org.instansi:
        members = [org.pegawai[k] for k in inst.pegawai]
        holder: dict[int, int] = {}
        for p in members:
            if p.jabatan_id:
                holder.setdefault(p.jabatan_id, p.id)
        derived = rules.derive_penilai(
            {p.id: p.jabatan_id for p in members},
            jabatan_by_id=jab_info,
            unit_by_id=unit_info,
            holder_by_jabatan=holder,
            acting_by_jabatan={},
            instansi_daerah=True,
            pimpinan_jabatan_id=inst.pim_jab,
        )
        for p in members:
            p.penilai, p.atasan = derived[p.id]

    for p in org.pegawai:
        T[Pegawai].add(
            {
                "id": p.id,
                "user_id": p.user_id,
                "instansi_id": p.instansi_id,
                "nip": p.nip,
                "nama": p.nama,
                "jenis_asn": p.jenis_asn,
                "golongan": p.golongan,
                "jabatan_id": p.jabatan_id,
                "unit_kerja_id": p.unit_id,
                "status": p.status,
                "email": f"{p.nip or 'pn' + str(p.id)}@contoh.go.id",
                "plt_jabatan_id": None,
                "plt_jenis": "",
                "penilai_override_id": None,
                "pejabat_penilai_id": p.penilai,
                "atasan_pejabat_penilai_id": p.atasan,
            }
        )

    # The organisation over time (domain.md): every pegawai has held its position and been rated
    # by its penilai since records began, as migration kinerja/0007 writes for existing staff;
    # about one staff member in seven changed post and penilai two years ago (a closed stretch
    # before the open one), so the dated tables are as large as a province's and a penilai has
    # former team members to read. Decided by the pegawai id, not the seeded RNG: the later
    # stages draw the same numbers as before.
    sejak = dt.date(2022, 1, 1)
    pindah = dt.date(tahun_safe(org.tahun) - 2, 7, 1)
    for p in org.pegawai:
        moved = (
            p.jenis_jab in ("pelaksana", "fungsional")
            and p.atasan is not None
            and (p.id * 2654435761) % 100 < 15
        )
        mulai = pindah if moved else sejak
        if moved:
            T[RiwayatJabatan].add(
                {
                    "pegawai_id": p.id,
                    "jabatan_id": p.jabatan_id,
                    "unit_kerja_id": p.unit_id,
                    "jenis": "definitif",
                    "mulai": sejak,
                    "selesai": pindah - dt.timedelta(days=1),
                    "mutasi_id": None,
                }
            )
            T[MasaPenilai].add(
                {
                    "pegawai_id": p.id,
                    "pejabat_penilai_id": p.atasan,
                    "atasan_pejabat_penilai_id": None,
                    "mulai": sejak,
                    "selesai": pindah - dt.timedelta(days=1),
                }
            )
        if p.jabatan_id:
            T[RiwayatJabatan].add(
                {
                    "pegawai_id": p.id,
                    "jabatan_id": p.jabatan_id,
                    "unit_kerja_id": p.unit_id,
                    "jenis": "definitif",
                    "mulai": mulai,
                    "selesai": None,
                    "mutasi_id": None,
                }
            )
        T[MasaPenilai].add(
            {
                "pegawai_id": p.id,
                "pejabat_penilai_id": p.penilai,
                "atasan_pejabat_penilai_id": p.atasan,
                "mulai": mulai,
                "selesai": None,
            }
        )

    # TimKerja: one or two per dinas, ketua a fungsional, members across the dinas' units.
    through = TimKerja.anggota.through
    for inst in org.instansi:
        idxs = list(inst.pegawai)
        fung = [k for k in idxs if org.pegawai[k].jenis_jab == "fungsional"]
        if not fung:
            continue
        n_tim = max(1, len(inst.dinas))
        for t_i in range(n_tim):
            ketua = org.pegawai[rng.choice(fung)]
            tid = T[TimKerja].add(
                {
                    "instansi_id": inst.id,
                    "nama": f"Tim Kerja {rng.choice(OBJEK).title()} {t_i + 1}",
                    "ketua_id": ketua.id,
                    "aktif": True,
                }
            )
            members = {
                org.pegawai[k].id for k in rng.sample(idxs, k=min(len(idxs), 6 + rng.randrange(6)))
            }
            members.discard(ketua.id)
            for mid in sorted(members):
                T[through].add({"timkerja_id": tid, "pegawai_id": mid})

"""Rating that flows (issue 17, item 2): what the rating page shows while the penilai chooses,
before anything is saved. Reads only.

- `saran_dari_pilihan`: the suggested rating hasil kerja from the per-RHK ratings chosen on the
  page right now (the same pure rule the save applies, rules.saran_rating_hasil), so the
  suggestion is there before the first save and never disagrees with what the save then says.
- `kuadran_grid`: the 3x3 quadrant of rating hasil kerja x rating perilaku kerja with the cell
  of the chosen pair lit.
- `pegawai_berikutnya`: after *Simpan dan lanjut*, the next person of the penilai's team whose
  evaluation in this window is not final yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evaluasi import jendela, rules
from evaluasi.models import Evaluasi, Jenis


def _rhk(ev: Evaluasi) -> list[tuple[str, str]]:
    """(kunci, jenis) of the rencana hasil kerja the page rates: the latest approved SKP (as
    the rating page shows it)."""
    from skp.models import RencanaHasilKerja
    from skp.selectors import skp_disetujui

    skp_id = ev.skp_id
    if not ev.is_final:
        terbaru = skp_disetujui(pegawai=ev.pegawai_id, periode=ev.periode_id)
        skp_id = terbaru.pk if terbaru is not None else skp_id
    if not skp_id:
        return []
    return [
        (str(k), j)
        for k, j in RencanaHasilKerja.objects.filter(skp_id=skp_id)
        .order_by("jenis", "urutan", "id")
        .values_list("kunci", "jenis")
    ]


def _umpan_balik_jenis(ev: Evaluasi) -> list[str]:
    """The kind of every feedback of the window (what the rule weighs), as the save reads it."""
    from dialog.models import UmpanBalik

    qs = UmpanBalik.objects.filter(penerima_id=ev.pegawai_id, periode_id=ev.periode_id)
    if ev.jenis == Jenis.PERIODIK:
        qs = qs.filter(urutan=ev.urutan)
    return list(qs.values_list("jenis", flat=True))


def saran_dari_pilihan(ev: Evaluasi, pilihan: Mapping[str, str]) -> rules.Saran:
    """The suggestion for the per-RHK ratings in `pilihan` (kunci -> rating; empty: not rated).
    A tugas-belajar SKP keeps the suggestion its IPK band gave on the last save."""
    if ev.predikat_ipk:
        r = rules.rating_hasil_dari_predikat_ipk(ev.predikat_ipk)
        return rules.Saran(r, (f"Tugas belajar: IPK {ev.ipk} berpredikat {ev.predikat_ipk}.",))
    rows = [(jenis, pilihan.get(kunci) or None) for kunci, jenis in _rhk(ev)]
    return rules.saran_rating_hasil(rows, _umpan_balik_jenis(ev))


def pilihan_dari(data: Mapping[str, Any], ev: Evaluasi) -> dict[str, str]:
    """The per-RHK ratings posted by the page (fields rhk-<kunci>-rating)."""
    return {
        kunci: data.get(f"rhk-{kunci}-rating", "")
        for kunci, _ in _rhk(ev)
        if data.get(f"rhk-{kunci}-rating", "") in rules.RATING
    }


# Columns: rating hasil kerja from below to above; rows: rating perilaku from above to below
# (the regulation's quadrant picture: the best cell top right).
_KOLOM = (rules.DIBAWAH, rules.SESUAI, rules.DIATAS)
_BARIS = (rules.DIATAS, rules.SESUAI, rules.DIBAWAH)


def kuadran_grid(hasil: str, perilaku: str) -> dict[str, Any]:
    """The quadrant as rows of cells, the chosen pair's cell marked `aktif`."""
    return {
        "kolom": [rules.RATING_LABEL[k] for k in _KOLOM],
        "baris": [
            {
                "label": rules.RATING_LABEL[p],
                "sel": [
                    {
                        "kode": rules.KUADRAN[(h, p)],
                        "label": rules.PREDIKAT_LABEL[rules.KUADRAN[(h, p)]],
                        "aktif": (h, p) == (hasil, perilaku),
                    }
                    for h in _KOLOM
                ],
            }
            for p in _BARIS
        ],
        "predikat": rules.KUADRAN.get((hasil, perilaku), ""),
    }


def pegawai_berikutnya(user: Any, periode: Any, w: jendela.Window, sekarang_id: int) -> Any:
    """The next person (by name, after the current one, wrapping) of the user's team whose
    evaluation in window `w` is not final; None when everyone else is done."""
    from evaluasi.selectors import tim_evaluasi

    rows = tim_evaluasi(user, periode, w)
    ids = [r["pegawai"].pk for r in rows]
    mulai = ids.index(sekarang_id) + 1 if sekarang_id in ids else 0
    for r in rows[mulai:] + rows[:mulai]:
        ev = r["evaluasi"]
        if r["pegawai"].pk != sekarang_id and (ev is None or not ev.is_final):
            return r["pegawai"]
    return None

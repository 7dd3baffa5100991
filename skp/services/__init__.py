"""Every state change of the planning stage. Pages and the API both call these.

Each service is keyword-only, runs in one transaction, checks access through the policy and
raises `ValidationError` (nothing changed) with Indonesian messages keyed by field, or
`PermissionDenied` (403) when the user may see the object but not do this to it.

One module per noun: `skp` (the SKP and its versions), `rhk` (rencana hasil kerja), `matriks`
(matriks peran-hasil). Everything public is re-exported here (`from skp import services`).
"""

from __future__ import annotations

from skp.services._common import (  # noqa: F401
    PESAN_BUKAN_DRAFT,
    jenis_untuk,
)
from skp.services.matriks import (  # noqa: F401
    matriks_baris_hapus,
    matriks_baris_tambah,
    matriks_buat,
    matriks_terapkan,
    peran_hasil_hapus,
    peran_hasil_na,
    peran_hasil_simpan,
)
from skp.services.mutasi import skp_penilai_berganti  # noqa: F401
from skp.services.rhk import (  # noqa: F401
    RHK_ATASAN_SALAH,
    rhk_hapus,
    rhk_pindah,
    rhk_tambah,
    rhk_ubah,
)
from skp.services.skp import (  # noqa: F401
    perilaku_atur,
    skp_ajukan,
    skp_buat,
    skp_draft_pastikan,
    skp_kembalikan,
    skp_pdf_kunci,
    skp_pdf_minta,
    skp_setujui,
    skp_tugas_belajar_atur,
    skp_ubah,
    skp_versi_baru,
)

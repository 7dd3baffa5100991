"""Every state change of the evaluation stage. One function per use case, keyword-only,
transactional, checking access through the policy; history via django-simple-history.

One module per noun: `evaluasi` (the evaluation), `distribusi` (kinerja organisasi and the
distribution), `tutup_tahun` (the year-end close), `tindak_lanjut` (follow-up), `keberatan`.
Everything public is re-exported here, so `from evaluasi import services` keeps working; patch a
name in the module that defines it.
"""

from __future__ import annotations

from evaluasi.services._common import (  # noqa: F401
    HANYA_ADMIN,
    frekuensi_terkunci,
)
from evaluasi.services.distribusi import (  # noqa: F401
    _justifikasi_ada,
    distribusi_peringatan_tim,
    justifikasi_simpan,
    kinerja_organisasi_tetapkan,
    kinerja_organisasi_untuk,
)
from evaluasi.services.evaluasi import (  # noqa: F401
    evaluasi_buka_kembali,
    evaluasi_dokumen_render,
    evaluasi_dokumen_render_massal,
    evaluasi_finalisasi,
    evaluasi_ganti_hasil,
    evaluasi_mulai,
    evaluasi_simpan,
    kepala_unit,
)
from evaluasi.services.keberatan import (  # noqa: F401
    MAKS_LAMPIRAN_KEBERATAN,
    keberatan_ajukan,
    keberatan_jelaskan,
    keberatan_minta_penjelasan,
    keberatan_putuskan,
)
from evaluasi.services.pemutus import (  # noqa: F401
    keberatan_pemutus_tetapkan,
    keberatan_pemutus_turunkan_ulang,
    minta_admin_menunjuk,
    pemutus_untuk,
)
from evaluasi.services.tindak_lanjut import (  # noqa: F401
    kasus_sanksi_buka,
    kasus_sanksi_langkah,
    potensi_simpan,
    tabel_tindak_lanjut_simpan,
)
from evaluasi.services.tutup_tahun import (  # noqa: F401
    TUTUP_PROGRES_SETIAP,
    UnitGagal,
    _tutup_periksa,
    kelompok_unit,
    penutupan_mulai,
    tutup_tahun_jalankan,
    tutup_unit_jalankan,
    tutup_units_jalankan,
)

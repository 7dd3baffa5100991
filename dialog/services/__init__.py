"""Every state change of the dialog stage. Keyword-only, transactional, access-checked.

Notifications go through `kinerja.notifikasi.kabari` (its email is an outbox job sent
on commit). Services raise `ValidationError` (Indonesian messages, nothing changed) for wrong
input and `PermissionDenied` for a visible object the user may not act on.

One module per noun: `umpan_balik`, `penugasan` (with peluang), `dokumentasi` (realisasi and
bukti dukung), `dialog` (dialog kinerja and tindak lanjut). Everything public is re-exported here
(`from dialog import services`).
"""

from __future__ import annotations

from dialog.services._common import (  # noqa: F401
    kode_perilaku,
    pegawai_dari,
    penerima_dengan_periode,
    periode_untuk,
    simpan_baru,
    urutan_jendela,
)
from dialog.services.dialog import (  # noqa: F401
    dialog_catat,
    dialog_ubah,
    pengingat_tindak_lanjut,
    tindak_lanjut_selesai,
    tindak_lanjut_tambah,
)
from dialog.services.dokumentasi import (  # noqa: F401
    bukti_hapus,
    bukti_tautan,
    bukti_unggah,
    realisasi_simpan,
)
from dialog.services.penugasan import (  # noqa: F401
    boleh_menugaskan,
    klarifikasi_catat,
    peluang_buka,
    peluang_ikuti,
    peluang_tutup,
    penugasan_penilai_berganti,
    penugasan_setujui,
    penugasan_tolak,
    penugasan_usulkan,
    penugasan_usulkan_tim,
)
from dialog.services.umpan_balik import (  # noqa: F401
    boleh_sasaran_rhk,
    hubungan_antara,
    pemberi_tugas_ids,
    umpan_balik_beri,
    umpan_balik_minta,
)

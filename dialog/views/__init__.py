"""Pages of the dialog stage: thin typed function views over selectors and services.

One module per noun: `umpan_balik`, `penugasan` (with peluang), `realisasi` (dokumentasi
kinerja: realisasi and bukti dukung), `dialog` (dialog kinerja, tindak lanjut, a pegawai's
year); dialog/urls.py names them through this package.
"""

from __future__ import annotations

from dialog.views.dialog import (  # noqa: F401
    dialog_baru,
    dialog_detail,
    dialog_list,
    tahun,
    tahun_saya,
    tindak_lanjut_selesai,
)
from dialog.views.penugasan import (  # noqa: F401
    peluang_buka,
    peluang_ikuti,
    peluang_list,
    peluang_tutup,
    penugasan_cari_nip,
    penugasan_detail,
    penugasan_list,
    penugasan_setujui,
    penugasan_tolak,
    penugasan_usulkan,
)
from dialog.views.realisasi import (  # noqa: F401
    bukti_hapus,
    bukti_unduh,
    dokumentasi,
    realisasi_rhk,
)
from dialog.views.umpan_balik import (  # noqa: F401
    tim,
    umpan_balik_beri,
    umpan_balik_detail,
    umpan_balik_list,
    umpan_balik_minta,
)

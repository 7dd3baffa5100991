"""Pohon kinerja: the alignment tree of a year's rencana hasil kerja, and the gaps in it.

The tree starts at the top of the instansi (the JPT's rencana hasil kerja), a unit (its head's),
or a leader (their own). Under each node: the matriks peran-hasil cells of its owner for that
result, and every rencana hasil kerja that intervenes it, down to the last level. Each node shows
its owner, the status of the owner's SKP and the node's latest final periodic rating.

Links between levels follow the stable `kunci` of the leader's row, so a member who intervened
version 1 of the leader's SKP still hangs under the same result in version 3. Only the current
version (`terkini`) of each SKP is drawn.

Queries: the tree is built in Python level by level; every level costs two queries (its rencana
hasil kerja, annotated with their child counts and latest rating, and the cells under its
parents) whatever its width. The first page load draws the roots and, when it fits a node budget,
their children; deeper (or too wide) levels load on demand with htmx (`<details>` + a lazy
partial with a real href fallback). Each kind of gap is one query (rows capped, with a window
count). The xlsx has every level; a large one is built by a background job.

Access is the policy's (kinerja.policy.pohon): the instansi admin sees the whole instansi; a
leader (someone who rates others or leads a team) sees their own subtree; everyone else gets 404.
Lives in evaluasi because it reads both skp and evaluasi data (a later stage may import an
earlier one).

Modules: `data` (the shapes: Simpul, Sel, Cakupan; labels), `selectors` (the tree, its gaps and
what the user may see), `views` (pages), `xlsx` (the spreadsheet, directly or as the
`pohon.xlsx` job registered in evaluasi/tasks.py), `urls`.
"""

from __future__ import annotations

from evaluasi.pohon.data import (  # noqa: F401
    KEDALAMAN_AWAL,
    KEDALAMAN_MAKS,
    PUNCAK_JENIS,
    Cakupan,
    Sel,
    Simpul,
    label_jendela,
    label_rating,
)
from evaluasi.pohon.selectors import (  # noqa: F401
    JENIS_CELAH,
    akar,
    cakupan_untuk,
    celah,
    muat_anak,
    pohon_bangun,
    simpul_untuk,
)
from evaluasi.pohon.views import (  # noqa: F401
    ANGGARAN_AWAL,
    BATAS_CELAH_HALAMAN,
    BATAS_UNDUH_LANGSUNG,
    pohon_instansi,
    pohon_simpul,
    pohon_unduh,
    pohon_unit,
)
from evaluasi.pohon.xlsx import (  # noqa: F401
    KOLOM_XLSX,
    XLSX,
    pohon_baris,
    pohon_unduh_jalankan,
    pohon_xlsx,
)

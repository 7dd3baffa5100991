"""The one access policy: who may see which objects, and who may do what to them.

Every HTML view, API viewset, service, PDF, export, download, menu and admin page asks here,
before anything is read or returned. Rules per resource live in the modules of this package
(one per stage, plus the pohon kinerja) and register themselves by model label, so the kernel
never imports a later stage's models. Objects a user may not see are 404 (ids reveal nothing);
actions on visible objects that the user may not take are 403. Nothing outside this package
tests `is_superuser`, `admin_instansi` or a role (tests/security/test_policy_lint.py).

    scope(user, queryset)              -> the part of queryset the user may see
    can(user, action, obj)             -> bool (an action of the model's rules, or one a
                                          later stage registered on it with `action`)
    get_for_user(user, qs, pk=..)      -> the object, or Http404 (also with action=...)
    require(user, action, obj)         -> None, or PermissionDenied
    may(user, capability)              -> bool: questions about the user, not one object
                                          (menus, home panels, list pages)
    instansi_of(user)                  -> the instansi the user works in
    instansi_administered(user)        -> the instansi the user administers, or None
    scope_admin(user, qs, path)        -> what the user administers of qs
    pegawai_terkait(user, *hubungan)   -> ids of the pegawai they rate / are atasan of / lead
    id_salah_satu(*id_querysets)       -> Q: pk in any of them, as one `id IN (… UNION …)`
    scope_baris_distribusi(user, qs)   -> the evaluations a distribution page may name
    skp_syarat_sql(user, alias)        -> the SKP scope as a SQL condition (hand-written reads)
    dengan_actor(users_qs)             -> users loaded with what the policy needs of them
                                          (the request's user: no second query per request)
"""

from __future__ import annotations

from .core import (  # noqa: F401
    HIBAH_ANOTASI,
    Actor,
    action,
    actor,
    can,
    capability,
    dengan_actor,
    get_for_user,
    id_salah_satu,
    instansi_administered,
    instansi_of,
    instansi_of_dimuat,
    may,
    pegawai_terkait,
    register,
    require,
    scope,
    scope_admin,
)

from .organisasi import akun_boleh_diadopsi, akun_pilihan, pengelola_instansi  # noqa: E402,F401  isort: skip
from .evaluasi import scope_baris_distribusi  # noqa: E402,F401  isort: skip
from .hibah import pemutus_ditunjuk  # noqa: E402,F401  isort: skip
from .skp import skp_syarat_sql  # noqa: E402,F401  isort: skip

# Importing registers the rules of each resource.
from . import organisasi  # noqa: E402,F401  isort: skip
from . import skp  # noqa: E402,F401  isort: skip
from . import dialog  # noqa: E402,F401  isort: skip
from . import evaluasi  # noqa: E402,F401  isort: skip
from . import sinkron  # noqa: E402,F401  isort: skip
from . import akses  # noqa: E402,F401  isort: skip
from . import siasn  # noqa: E402,F401  isort: skip
from . import pohon  # noqa: E402,F401  isort: skip
from . import hibah  # noqa: E402,F401  isort: skip

"""The one access policy: who may see which objects, and who may do what to them.

Every HTML view, API viewset, PDF, export, download and admin page asks here. Rules per resource
live in the modules of this package (one per stage) and register themselves by model label, so
the kernel never imports a later stage's models. Objects a user may not see are 404 (ids reveal
nothing); actions on visible objects that the user may not take are 403.

    scope(user, queryset)            -> the part of queryset the user may see
    can(user, action, obj)           -> bool
    get_for_user(user, qs, pk=..)    -> the object, or Http404
    require(user, action, obj)       -> None, or PermissionDenied
"""

from __future__ import annotations

from .core import (  # noqa: F401
    Actor,
    actor,
    can,
    get_for_user,
    register,
    require,
    scope,
)

from .organisasi import akun_boleh_diadopsi  # noqa: E402,F401  isort: skip

# Importing registers the rules of each resource.
from . import organisasi  # noqa: E402,F401  isort: skip
from . import skp  # noqa: E402,F401  isort: skip
from . import dialog  # noqa: E402,F401  isort: skip
from . import evaluasi  # noqa: E402,F401  isort: skip
from . import sinkron  # noqa: E402,F401  isort: skip
from . import akses  # noqa: E402,F401  isort: skip
from . import siasn  # noqa: E402,F401  isort: skip

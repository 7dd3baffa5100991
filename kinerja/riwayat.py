"""Who did it, also outside a request.

History (django-simple-history) learns the acting user from the request the middleware keeps.
A service run by a task, a management command or the shell has no request, so its history rows
would say nobody did it. Every service receives the acting user (`user=`, or `oleh=` for the
few that act on someone's behalf) and is declared with `@layanan` where it is defined, so that,
when no request is active, that user is the one history records. (tests/security/test_audit.py
fails when a service taking the acting user is not declared.)

A service whose transaction PostgreSQL aborted for a deadlock or a serialization failure raises
`kinerja.versi.Serentak` (a ValidationError: nothing changed, try again) instead of that error.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

from django.db import DatabaseError
from simple_history.models import HistoricalRecords

from kinerja.versi import Serentak, serentak

PARAM_USER = ("user", "oleh")


@contextlib.contextmanager
def atas_nama(user: Any) -> Iterator[None]:
    """Record history as `user` while no request is active (a request's user always wins)."""
    ctx = HistoricalRecords.context
    if getattr(ctx, "request", None) is not None or not getattr(user, "is_authenticated", False):
        yield
        return
    ctx.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        with contextlib.suppress(AttributeError):
            del ctx.request


def _user_param(fn: Callable) -> str | None:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return None
    return next((p for p in PARAM_USER if p in params), None)


def _bungkus(fn: Callable, param: str) -> Callable:
    sig = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = kwargs.get(param)
        if user is None and args:
            with contextlib.suppress(TypeError):
                user = sig.bind_partial(*args, **kwargs).arguments.get(param)
        try:
            with atas_nama(user):
                return fn(*args, **kwargs)
        except DatabaseError as exc:
            # PostgreSQL ended the service's transaction for a deadlock or a serialization
            # failure (its atomic block has rolled back): a refusal saying so, not a 500.
            if serentak(exc):
                raise Serentak() from exc
            raise

    wrapped.__kinerja_layanan__ = True
    return wrapped


def layanan(fn: Callable) -> Callable:
    """Declare a service: while no request is active, history records the acting user it was
    given (`user=` or `oleh=`). Put it above `@transaction.atomic`."""
    param = _user_param(fn)
    if param is None:
        raise TypeError(f"{fn.__qualname__}: a service takes the acting user as `user=` or `oleh=`")
    return _bungkus(fn, param)


def is_layanan(fn: Any) -> bool:
    """Declared with @layanan."""
    return bool(getattr(fn, "__kinerja_layanan__", False))


def hanya_riwayat(model: type) -> HistoricalRecords | None:
    """simple_history's HistoricalRecords of `model` when history is on, its post_save receiver
    is the only receiver of the model's saves and nobody listens to its history rows being
    made: then a hand-written row write plus its history row does all a save would (the
    one-statement writes of issue 19). Else None, and the caller saves through the ORM, so a
    receiver connected anywhere (an app's, a test's) is never skipped."""
    from django.conf import settings
    from django.db.models.signals import post_save, pre_save
    from simple_history.signals import (
        post_create_historical_record,
        pre_create_historical_record,
    )

    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or pre_save.has_listeners(model):
        return None
    sinkron, asinkron = post_save._live_receivers(model)
    if len(sinkron) != 1 or asinkron:
        return None
    rec = getattr(sinkron[0], "__self__", None)
    fn = getattr(sinkron[0], "__func__", None)
    if not isinstance(rec, HistoricalRecords) or fn is not HistoricalRecords.post_save:
        return None
    # The descriptor's own model: getattr would build a new manager class (from_queryset) on
    # every call, 0.2-0.6 ms of a write (round twelve, setuju).
    h = inspect.getattr_static(model, rec.manager_name).model
    if (
        any(
            sig.has_listeners(h)
            for sig in (
                pre_save,
                post_save,
                pre_create_historical_record,
                post_create_historical_record,
            )
        )
        or getattr(h, "history_relation", None) is not None
        or getattr(h, "_history_m2m_fields", None)
    ):
        return None
    return rec

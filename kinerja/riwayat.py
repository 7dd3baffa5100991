"""Who did it, also outside a request.

History (django-simple-history) learns the acting user from the request the middleware keeps.
A service run by a task, a management command or the shell has no request, so its history rows
would say nobody did it. Every service already receives the acting user (`user=`, or `oleh=`
for the few that act on someone's behalf); `bungkus_layanan` wraps each app's services so that,
when no request is active, that user is the one history records.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from types import ModuleType, SimpleNamespace
from typing import Any

from simple_history.models import HistoricalRecords

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
        with atas_nama(user):
            return fn(*args, **kwargs)

    wrapped.__kinerja_riwayat__ = True
    return wrapped


def bungkus_layanan(module: ModuleType) -> int:
    """Wrap the module's own public service functions that take the acting user."""
    n = 0
    for name, obj in list(vars(module).items()):
        if (
            name.startswith("_")
            or not inspect.isfunction(obj)
            or obj.__module__ != module.__name__
            or getattr(obj, "__kinerja_riwayat__", False)
        ):
            continue
        param = _user_param(obj)
        if param:
            setattr(module, name, _bungkus(obj, param))
            n += 1
    return n


def layanan(fn: Callable) -> Callable:
    """Declare a service where it is defined: history records its acting user (its `user=` or
    `oleh=` argument) also when no request is active (a task, a command, the shell)."""
    param = _user_param(fn)
    if param is None:
        raise TypeError(f"{fn.__qualname__}: a service takes the acting user as user= or oleh=")
    return _bungkus(fn, param)

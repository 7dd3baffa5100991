"""The history pages of the Django admin, scoped like its lists (issue 15, finding 9).

simple_history's history view falls back to the historical rows when the object is not in the
admin's queryset, then answers 403 for a row the user may not see and 404 for a missing one: an
admin of one instansi could tell another instansi's ids from ids that do not exist. Here an
object outside `get_queryset` is simply not found, whatever the reason."""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.http import Http404, HttpRequest
from simple_history.admin import SimpleHistoryAdmin


class RiwayatAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history pages answer 404 for anything outside the queryset."""

    def _ada(self, request: HttpRequest, object_id: str) -> None:
        pk_name = self.model._meta.pk.attname
        try:
            found = self.get_queryset(request).filter(**{pk_name: unquote(object_id)}).exists()
        except (ValueError, TypeError):
            found = False
        if not found:
            raise Http404("Data tidak ditemukan.")

    def history_view(self, request, object_id, extra_context=None):
        self._ada(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._ada(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

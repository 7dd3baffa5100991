"""The API's front door for request bodies: DRF's JSON parser, with JSON nested deeper than
Python's recursion limit refused as a 400 like any other malformed body (json.loads raises
RecursionError there, not ValueError, and DRF turned it into a 500).

Its own module, importing no DRF view: REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] names it, and
DRF reads that setting while `rest_framework.views` is being imported.
"""

from __future__ import annotations

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                "JSON tidak valid: struktur bersarang terlalu dalam."
            ) from None

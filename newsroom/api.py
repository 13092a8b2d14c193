"""How every API view reads a body and answers OPTIONS; wired in `REST_FRAMEWORK` (settings.py).

DRF imports these while it loads its views: this module must not import views or the schema.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions, metadata, parsers


class JSONParser(parsers.JSONParser):
    """Answer JSON nested too deep for the decoder with 400, like any other malformed JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError(_("JSON parse error - nested too deep.")) from error


class Metadata(metadata.SimpleMetadata):
    """OPTIONS without recursing forever into a serializer that nests itself (replies)."""

    def get_serializer_info(self, serializer):
        serializer = getattr(serializer, "child", serializer)
        self._open = getattr(self, "_open", set())
        if type(serializer) in self._open:
            return {}
        self._open.add(type(serializer))
        try:
            return super().get_serializer_info(serializer)
        finally:
            self._open.discard(type(serializer))

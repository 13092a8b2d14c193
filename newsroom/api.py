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


NO_NUL = "^[^\\x00]*$"


def document_refused_nul_characters(result, generator, request, public):
    """Say in the schema what every DRF CharField refuses: text with a NUL character (400).

    A drf-spectacular postprocessing hook, so each free-text field of a request body carries the
    pattern; clients and the schema fuzzer then know such text is invalid, not merely unlucky.
    """
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for field in component.get("properties", {}).values():
            is_free_text = field.get("type") == "string" and not {
                "enum",
                "format",
                "pattern",
            } & set(field)
            if is_free_text and not field.get("readOnly"):
                field["pattern"] = NO_NUL
    return result

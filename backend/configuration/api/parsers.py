"""A YAML body for the configuration import (JSON stays the API's only format elsewhere)."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from ..document import MAX_DOCUMENT_BYTES, DocumentError, loads


class YAMLParser(BaseParser):
    """application/yaml (and application/x-yaml, text/yaml below): read with yaml.safe_load, bounded in
    size, depth and values like the JSON parser."""

    media_type = "application/yaml"

    def parse(self, stream, media_type=None, parser_context=None):
        text = stream.read(MAX_DOCUMENT_BYTES + 1) if stream is not None else b""
        try:
            return loads(text)
        except DocumentError as error:
            raise ParseError(" ".join(message for messages in error.errors.values() for message in messages)) from None


class XYAMLParser(YAMLParser):
    media_type = "application/x-yaml"


class TextYAMLParser(YAMLParser):
    media_type = "text/yaml"

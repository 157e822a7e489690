"""The API's JSON parser: DRF's, with a bound on how deeply a body may nest.

Python's decoder recurses once per level, so a body of 1,000 nested brackets would otherwise end
in a RecursionError (a 500) here or later in validation; no request of this API needs more than a
few levels.
"""

import json
from collections.abc import Iterable

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 64

DEPTH_MESSAGE = f"JSON parse error - nested more than {MAX_JSON_DEPTH} levels deep."


def _depth_exceeds(data, limit: int) -> bool:
    """Whether arrays and objects in `data` nest more than `limit` levels (walked without
    recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[object]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def check_depth(data) -> None:
    if _depth_exceeds(data, MAX_JSON_DEPTH):
        raise ParseError(DEPTH_MESSAGE)


def loads_bounded(text):
    """json.loads for request bodies read outside DRF's parsers: a 400 (ParseError) for text that
    is not JSON or nests too deeply."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise ParseError(DEPTH_MESSAGE) from None
    except ValueError as error:
        raise ParseError(f"JSON parse error - {error}") from None
    check_depth(data)
    return data


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(DEPTH_MESSAGE) from None
        check_depth(data)
        return data

"""What a check's settings may be: each function returns the field's error message, or None."""

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import croniter

from core import outbound

from ..models import CHECK_MAX_INTERVAL, CHECK_MAX_TIMEOUT, CHECK_METHODS, CHECK_MIN_INTERVAL, CHECK_MIN_TIMEOUT

MAX_HEADERS = 20
MAX_STATUS_PARTS = 20
HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,100}$")
HOST_NAME = re.compile(r"^[A-Za-z0-9.\-:\[\]_]{1,255}$")


def parse_expected_status(text: str) -> list[tuple[int, int]]:
    """"200-299,301" -> [(200, 299), (301, 301)]; ValueError with the reason when not valid."""
    parts = [part.strip() for part in (text or "").split(",")]
    if not text or not text.strip() or any(not part for part in parts):
        raise ValueError('Write status codes and ranges separated by commas, e.g. "200", "200,204" or "200-299,301".')
    if len(parts) > MAX_STATUS_PARTS:
        raise ValueError(f"At most {MAX_STATUS_PARTS} codes or ranges.")
    ranges = []
    for part in parts:
        low_text, dash, high_text = part.partition("-")
        low_text, high_text = low_text.strip(), (high_text.strip() if dash else low_text.strip())
        if not (low_text.isdigit() and high_text.isdigit()):
            raise ValueError(f'"{part}" is not a status code or a range of them (e.g. 200-299).')
        low, high = int(low_text), int(high_text)
        if not (100 <= low <= 599 and 100 <= high <= 599):
            raise ValueError(f'"{part}": status codes are between 100 and 599.')
        if low > high:
            raise ValueError(f'"{part}": a range goes from the lower code to the higher.')
        ranges.append((low, high))
    return ranges


def status_matches(code: int, ranges: list[tuple[int, int]]) -> bool:
    return any(low <= code <= high for low, high in ranges)


def expected_status_error(text: object) -> str | None:
    if not isinstance(text, str):
        return "A string is required."
    try:
        parse_expected_status(text)
    except ValueError as error:
        return str(error)
    return None


def url_error(url: object) -> str | None:
    if not isinstance(url, str) or not url.strip():
        return "An http:// or https:// URL is required."
    try:
        outbound.parse_target(url)
    except outbound.TargetRefused as error:
        return str(error).removeprefix("Refused: ")
    return None


def method_error(method: object) -> str | None:
    if method not in CHECK_METHODS:
        return f"One of {', '.join(CHECK_METHODS)}."
    return None


def headers_error(headers: object) -> str | None:
    if not isinstance(headers, dict):
        return 'An object of header names and values is required, e.g. {"Authorization": "Bearer ..."}.'
    if len(headers) > MAX_HEADERS:
        return f"At most {MAX_HEADERS} headers."
    for name, value in headers.items():
        if not isinstance(name, str) or not HEADER_NAME.match(name):
            return f"{str(name)[:50]!r} is not a valid header name."
        if name.lower() in ("host", "content-length", "transfer-encoding", "connection"):
            return f"{name} is set by the client, not by a check."
        if not isinstance(value, str) or len(value) > 2000 or any(c in value for c in "\r\n\0"):
            return f"The value of {name} must be a string of at most 2000 characters on one line."
    return None


def body_error(body_contains: object, body_regex: bool) -> str | None:
    if not isinstance(body_contains, str):
        return "A string is required."
    if body_regex and body_contains:
        try:
            re.compile(body_contains)
        except re.error as error:
            return f"Not a valid regular expression: {error}."
    return None


def interval_error(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not CHECK_MIN_INTERVAL <= value <= CHECK_MAX_INTERVAL:
        return f"Between {CHECK_MIN_INTERVAL} and {CHECK_MAX_INTERVAL} seconds."
    return None


def timeout_error(value: object, interval: object = None) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not CHECK_MIN_TIMEOUT <= value <= CHECK_MAX_TIMEOUT:
        return f"Between {CHECK_MIN_TIMEOUT} and {CHECK_MAX_TIMEOUT} seconds."
    if isinstance(interval, int) and value >= interval:
        return "Must be shorter than the interval."
    return None


def host_error(host: object) -> str | None:
    if not isinstance(host, str) or not host.strip():
        return "A host name or address is required."
    if not HOST_NAME.match(host) or "@" in host:
        return "A host name or an IP address, without a scheme, port or path."
    return None


def port_error(port: object) -> str | None:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        return "A port between 1 and 65535 is required."
    return None


def time_zone_error(name: object) -> str | None:
    if not isinstance(name, str) or name not in _zones():
        return 'Not a known time zone; use an IANA name such as "UTC" or "Europe/Berlin".'
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return 'Not a known time zone; use an IANA name such as "UTC" or "Europe/Berlin".'
    return None


def cron_error(expression: object) -> str | None:
    if not isinstance(expression, str):
        return "A string is required."
    if expression and (len(expression.split()) != 5 or not croniter.is_valid(expression)):
        return 'Not a cron expression of five fields (minute hour day month weekday), e.g. "0 3 * * *".'
    return None


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
        _ZONES.add("UTC")
    return _ZONES

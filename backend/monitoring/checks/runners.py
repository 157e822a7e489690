"""Running one HTTP(S) or TCP check: what it found, never raising for what a target does.

Every connection goes through the SSRF guard of core.outbound: a target whose host resolves to a
loopback, private, link-local or reserved address is refused unless
OUTBOUND_ALLOW_PRIVATE_TARGETS is on, and the connection goes to the address that was checked.
Redirects are followed here (the outbound client follows none), at most MAX_REDIRECTS of them,
each hop's target checked again. The whole run, redirects included, ends within the check's
timeout (plus the connect time of one hop at most).
"""

import ipaddress
import re
import socket
import ssl
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import urllib3
from cryptography import x509
from django.conf import settings

from core import outbound

from ..models import Check, CheckKind
from .validation import parse_expected_status, status_matches

MAX_REDIRECTS = 5
MAX_BODY_BYTES = 1024 * 1024
REDIRECT_CODES = (301, 302, 303, 307, 308)
_ERROR_CHARS = 500


@dataclass
class Outcome:
    up: bool
    response_time_ms: float | None = None
    status_code: int | None = None
    error: str = ""
    cert_days_left: int | None = None


def run(check: Check) -> Outcome:
    if check.kind == CheckKind.HTTP:
        return run_http(check)
    if check.kind == CheckKind.TCP:
        return run_tcp(check)
    raise ValueError(f"a {check.kind} check is not run")


def _allow_private() -> bool:
    return bool(settings.OUTBOUND_ALLOW_PRIVATE_TARGETS)


def run_http(check: Check) -> Outcome:
    timeout = float(check.timeout_seconds)
    started = time.monotonic()
    cert_days: int | None = None
    try:
        ranges = parse_expected_status(check.expected_status)
    except ValueError as error:
        return Outcome(False, error=f"expected_status: {error}"[:_ERROR_CHARS])
    url, method = check.url, check.method
    try:
        if outbound.parse_target(url).scheme == "https":
            cert_days = certificate_days_left(url, timeout)
        for hop in range(MAX_REDIRECTS + 1):
            remaining = timeout - (time.monotonic() - started)
            if remaining <= 0:
                raise outbound.OutboundTimeout(f"No final answer within {timeout:g} s (after {hop} redirects).")
            with warnings.catch_warnings():
                # verify_tls off is the check's setting, not a mistake to warn about on each run
                warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
                response = outbound.request(
                    method, url, headers=check.headers or {},
                    timeout=(min(outbound.CONNECT_TIMEOUT_SECONDS, remaining), remaining),
                    verify=check.verify_tls, allow_private=_allow_private(), max_bytes=MAX_BODY_BYTES,
                )
            location = response.headers.get("Location", "")
            if not (check.follow_redirects and response.status_code in REDIRECT_CODES and location):
                break
            if hop == MAX_REDIRECTS:
                raise outbound.OutboundError(f"More than {MAX_REDIRECTS} redirects.")
            url = urljoin(url, location)
            outbound.parse_target(url)  # a redirect to anything but http(s) is refused
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method = "GET"
    except outbound.OutboundError as error:
        return Outcome(False, _elapsed_ms(started), None, str(error)[:_ERROR_CHARS], cert_days)
    elapsed = _elapsed_ms(started)
    code = response.status_code
    if not status_matches(code, ranges):
        return Outcome(False, elapsed, code, f"Answered {code}; expected {check.expected_status}.", cert_days)
    if check.body_contains and method != "HEAD":
        try:
            body = response.content.decode(response.encoding or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            body = response.content.decode("utf-8", errors="replace")
        found = re.search(check.body_contains, body) if check.body_regex else check.body_contains in body
        if not found:
            what = "match the regular expression" if check.body_regex else "contain"
            return Outcome(False, elapsed, code, f"The answer does not {what} {check.body_contains[:100]!r}.",
                           cert_days)
    if cert_days is not None and cert_days < 0 and check.verify_tls:
        return Outcome(False, elapsed, code, f"The TLS certificate expired {-cert_days} days ago.", cert_days)
    return Outcome(True, elapsed, code, "", cert_days)


def certificate_days_left(url: str, timeout: float) -> int | None:
    """Whole days until the certificate the https target presents expires (negative: expired
    since), read whether or not it can be verified; None when no certificate could be read. The
    connection goes to the guarded address, as the check's request does."""
    target = outbound.parse_target(url)
    address = outbound.resolve(target, allow_private=_allow_private())
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        connect = min(timeout, outbound.CONNECT_TIMEOUT_SECONDS)
        with socket.create_connection((address, target.port), timeout=connect) as raw:
            raw.settimeout(timeout)
            server_name = None if _is_address(target.host) else target.host
            with context.wrap_socket(raw, server_hostname=server_name) as tls:
                der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError):
        return None
    if not der:
        return None
    try:
        expires = x509.load_der_x509_certificate(der).not_valid_after_utc
    except ValueError:
        return None
    return int((expires - datetime.now(UTC)).total_seconds() // 86400)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def run_tcp(check: Check) -> Outcome:
    host = check.host.strip().strip("[]")
    port = int(check.port or 0)
    where = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
    timeout = float(check.timeout_seconds)
    started = time.monotonic()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return Outcome(False, None, None, f"Could not resolve {host}.")
    addresses = [str(info[4][0]) for info in infos]
    if not _allow_private():
        for text in addresses:
            if outbound.refused_address(ipaddress.ip_address(text.split("%", 1)[0])):
                return Outcome(False, None, None, (
                    f"Refused: {where} resolves to a loopback, private, link-local or reserved address. "
                    "Set OUTBOUND_ALLOW_PRIVATE_TARGETS=true to allow targets on private networks."
                ))
    remaining = timeout - (time.monotonic() - started)
    try:
        with socket.create_connection((addresses[0], port), timeout=max(0.1, remaining)):
            pass
    except TimeoutError:
        return Outcome(False, _elapsed_ms(started), None, f"{where} did not accept a connection within {timeout:g} s.")
    except OSError as error:
        reason = "refused the connection" if isinstance(error, ConnectionRefusedError) else "could not be reached"
        return Outcome(False, _elapsed_ms(started), None, f"{where} {reason}.")
    return Outcome(True, _elapsed_ms(started))


def _elapsed_ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)

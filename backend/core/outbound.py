"""The one client of outbound HTTP requests to targets users configure (data sources, webhooks,
checks).

Every request has timeouts, follows no redirect (a 3xx is returned as it is), reads at most
`max_bytes` of the answer, and is refused when the target's host resolves to a loopback, private,
link-local, multicast or otherwise non-public address, unless OUTBOUND_ALLOW_PRIVATE_TARGETS (or
the call's allow_private) allows it. The host is resolved once, every address it has is checked,
and the connection goes to the address that was checked: a second lookup that answers differently
(DNS rebinding) never happens. The Host header, TLS server name and certificate check stay those
of the URL's host name.

Environment proxies (HTTP_PROXY, HTTPS_PROXY) and .netrc are not used: a proxy would make the
connection the check was not made for.

Errors are OutboundError; their messages name the target as scheme://host[:port] only, never its
path, query string or credentials, and they are raised without the underlying exception as their
cause (requests puts the whole URL in its messages).
"""

import ipaddress
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool

MAX_BYTES = 5 * 1024 * 1024
CONNECT_TIMEOUT_SECONDS = 5.0
_CHUNK_BYTES = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Timeout = float | tuple[float, float]

# NAT64's well-known prefix (RFC 6052): the last 32 bits are the IPv4 address reached.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class OutboundError(Exception):
    """An outbound request that did not get an answer (or got one too large)."""


class TargetRefused(OutboundError):
    """The target is not an http(s) URL, or resolves to an address outbound requests may not reach."""


class OutboundTimeout(OutboundError):
    pass


class OutboundConnectionError(OutboundError):
    pass


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as in the URL: lower case, IDNA-encoded, an IPv6 address without brackets
    port: int

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = {"http": 80, "https": 443}[self.scheme]
        return f"{self.scheme}://{host}" + ("" if self.port == default else f":{self.port}")


def parse_target(url: str) -> Target:
    """The scheme, host and port of an http(s) URL; TargetRefused for any other, and for a URL
    whose host part could be read two ways (credentials, backslashes, control characters)."""
    if not isinstance(url, str) or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url) or "\\" in url:
        raise TargetRefused("Refused: the URL has spaces, control characters or backslashes.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("Refused: the URL is not valid.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise TargetRefused("Refused: only http:// and https:// URLs are allowed.")
    if "@" in parts.netloc:
        raise TargetRefused("Refused: the URL must not contain a user name or password.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetRefused("Refused: the URL has no host.")
    return Target(scheme, host, port or (443 if scheme == "https" else 80))


def refused_address(address: IPAddress) -> bool:
    """Whether outbound requests may not reach `address` without private targets being allowed:
    anything but a global unicast address, including IPv4 addresses embedded in IPv6 ones
    (IPv4-mapped, 6to4, Teredo, NAT64)."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address reached through IPv6 is judged as itself.
        if address.ipv4_mapped:
            return refused_address(address.ipv4_mapped)
        if address in _NAT64:
            return refused_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.sixtofour and refused_address(address.sixtofour):
            return True
        if address.teredo and any(refused_address(inner) for inner in address.teredo):
            return True
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve(target: Target, *, allow_private: bool) -> str:
    """The address to connect to: the first the host resolves to (in the system's order of
    preference), every one of them checked."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutboundConnectionError(f"Could not resolve the host of {target.origin}.") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise OutboundConnectionError(f"Could not resolve the host of {target.origin}.")
    if not allow_private:
        for text in addresses:
            if refused_address(ipaddress.ip_address(text.split("%", 1)[0])):
                raise TargetRefused(
                    f"Refused: {target.origin} resolves to a loopback, private, link-local or reserved address. "
                    "Set OUTBOUND_ALLOW_PRIVATE_TARGETS=true to allow targets on private networks."
                )
    return addresses[0]


class PinnedAddressAdapter(HTTPAdapter):
    """Connects to `address` whatever the request's URL says, keeping the URL's host name as the
    TLS server name (SNI) and as the name the certificate is checked against."""

    def __init__(self, address: str, hostname: str) -> None:
        self.address = address
        self.hostname = hostname
        super().__init__(max_retries=0)

    def get_connection_with_tls_context(
        self,
        request: requests.PreparedRequest,
        verify: bool | str | None,
        proxies: Mapping[str, str] | None = None,
        cert: tuple[str, str] | str | None = None,
    ) -> HTTPConnectionPool:
        # The URL's host is replaced by the address; no proxy (the session reads none from the
        # environment, and the client passes none).
        verify = True if verify is None else verify
        host_params, tls_params = self.build_connection_pool_key_attributes(request, verify, cert)
        pool_kwargs: dict[str, Any] = dict(tls_params)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.hostname
        return self.poolmanager.connection_from_host(
            self.address, host_params["port"], host_params["scheme"], pool_kwargs=pool_kwargs
        )


def default_timeout() -> tuple[float, float]:
    read = float(settings.OUTBOUND_TIMEOUT_SECONDS)
    return (min(CONNECT_TIMEOUT_SECONDS, read), read)


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    json: Any = None,
    data: Any = None,
    params: Any = None,
    auth: Any = None,
    timeout: Timeout | None = None,
    verify: bool | str = True,
    allow_private: bool | None = None,
    max_bytes: int = MAX_BYTES,
) -> requests.Response:
    """Sends one request and returns the answer, its body read (at most `max_bytes` of it).

    `timeout` is (connect, read) seconds, or one number for both; default: at most 5 s to connect
    and OUTBOUND_TIMEOUT_SECONDS to answer. The whole exchange, body included, ends within their
    sum. `verify` is True, False or a CA bundle's path, as in requests.
    """
    connect_timeout, read_timeout = (
        default_timeout() if timeout is None else timeout if isinstance(timeout, tuple) else (timeout, timeout)
    )
    allowed = settings.OUTBOUND_ALLOW_PRIVATE_TARGETS if allow_private is None else allow_private
    parse_target(url)  # refuses what requests would otherwise quietly encode or drop
    prepared = requests.Request(
        method.upper(), url, headers=dict(headers or {}), json=json, data=data, params=params, auth=auth
    )
    with requests.Session() as session:
        session.trust_env = False
        try:
            ready = session.prepare_request(prepared)
        except requests.exceptions.InvalidHeader:
            raise OutboundError("Not sent: a header name or value is not valid.") from None
        except (requests.RequestException, ValueError):
            raise TargetRefused("Refused: the URL is not valid.") from None
        # The target as it will be sent (an international host name IDNA-encoded), resolved,
        # checked and connected to.
        target = parse_target(ready.url or "")
        address = resolve(target, allow_private=allowed)
        ready.headers["Host"] = urlsplit(ready.url or "").netloc
        adapter = PinnedAddressAdapter(address, target.host)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        started = time.monotonic()
        try:
            response = session.send(
                ready, stream=True, allow_redirects=False, timeout=(connect_timeout, read_timeout), verify=verify
            )
        except requests.ConnectTimeout:
            raise OutboundTimeout(
                f"{target.origin} did not accept a connection within {connect_timeout:g} s."
            ) from None
        except requests.ReadTimeout:
            raise OutboundTimeout(f"{target.origin} did not answer within {read_timeout:g} s.") from None
        except requests.exceptions.SSLError:
            raise OutboundConnectionError(
                f"The TLS connection to {target.origin} failed (its certificate could not be verified, or the "
                "handshake failed)."
            ) from None
        except requests.ConnectionError:
            raise OutboundConnectionError(f"Could not connect to {target.origin}.") from None
        except requests.RequestException as exc:
            raise OutboundError(f"The request to {target.origin} failed ({type(exc).__name__}).") from None
        with response:
            deadline = started + connect_timeout + read_timeout
            # What .content, .text and .json() give; the stubs leave out the flag that says so.
            response._content = _read_body(response, target, max_bytes, deadline=deadline)
            response._content_consumed = True  # type: ignore[attr-defined]
    return response


def _read_body(response: requests.Response, target: Target, max_bytes: int, *, deadline: float) -> bytes:
    too_large = OutboundError(f"The answer of {target.origin} is larger than {max_bytes:,} bytes; not read.")
    declared = response.headers.get("Content-Length", "")
    # A HEAD answer's Content-Length is that of a body it does not have.
    if response.request.method != "HEAD" and declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    body = bytearray()
    try:
        # read1: one read from the connection at a time (read() would wait for a whole chunk), so
        # that a body sent a byte at a time meets the deadline.
        while chunk := response.raw.read1(_CHUNK_BYTES, decode_content=True):
            body += chunk
            if len(body) > max_bytes:
                raise too_large
            if time.monotonic() > deadline:
                raise OutboundTimeout(f"{target.origin} did not send its whole answer in time.")
    except urllib3.exceptions.ReadTimeoutError:
        raise OutboundTimeout(f"{target.origin} stopped sending its answer.") from None
    except urllib3.exceptions.DecodeError:
        raise OutboundError(f"The answer of {target.origin} could not be decompressed.") from None
    except (urllib3.exceptions.HTTPError, OSError):
        raise OutboundConnectionError(f"The connection to {target.origin} broke while reading its answer.") from None
    return bytes(body)


def get(url: str, **kwargs: Any) -> requests.Response:
    return request("GET", url, **kwargs)


def post(url: str, **kwargs: Any) -> requests.Response:
    return request("POST", url, **kwargs)

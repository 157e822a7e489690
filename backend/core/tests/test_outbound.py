"""The outbound client against real HTTP(S) servers on 127.0.0.1. Private targets are allowed per
call (allow_private or the setting overridden), never for the whole test run."""

import datetime
import ipaddress
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import override_settings

from core import outbound
from core.outbound import OutboundConnectionError, OutboundError, OutboundTimeout, TargetRefused


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A threaded HTTP server on 127.0.0.1 and a free port; TLS with `tls` (an ssl context).

    /ok answers "hello"; /echo answers the request's body as JSON with its method; /redirect answers
    302 to /target; /sleep holds the request until released (teardown); /big?n=N answers N bytes
    (with a Content-Length), /big-unsized?n=N the same without one; /drip sends a byte every 0.1 s.
    """

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.seen: list[Seen] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one_request(self):
                try:
                    super().handle_one_request()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up

            def do_GET(self):
                self.answer()

            def do_POST(self):
                self.answer()

            def do_HEAD(self):
                receiver.seen.append(Seen(self.command, self.path, dict(self.headers), b""))
                self.send_response(200)
                self.send_header("Content-Length", str(int(parse_qs(self.path.partition("?")[2]).get("n", ["0"])[0])))
                self.end_headers()

            def answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.seen.append(Seen(self.command, self.path, dict(self.headers), body))
                path, _, query = self.path.partition("?")
                size = int(parse_qs(query).get("n", ["0"])[0])
                if path == "/ok":
                    self.send(200, b"hello")
                elif path == "/echo":
                    self.send(200, json.dumps({"method": self.command, "body": body.decode()}).encode())
                elif path == "/redirect":
                    self.send(302, b"", Location="/target")
                elif path == "/sleep":
                    receiver.release.wait(10)
                    self.send(200, b"late")
                elif path == "/big":
                    self.send(200, b"x" * size)
                elif path == "/big-unsized":
                    self.send_response(200)
                    self.end_headers()
                    self.wfile.write(b"x" * size)
                elif path == "/drip":
                    self.send_response(200)
                    self.end_headers()
                    for _ in range(50):
                        if receiver.release.wait(0.1):
                            break
                        self.wfile.write(b"x")
                        self.wfile.flush()
                else:
                    self.send(404, b"no")

            def send(self, status, payload, **headers):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def resolver(monkeypatch):
    """Test host names resolved as the test says (every other name as the system does), counting
    each lookup of them."""
    real = socket.getaddrinfo
    answers: dict[str, list[list[str]]] = {}
    lookups: dict[str, int] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        lookups[host] = lookups.get(host, 0) + 1
        addresses = answers[host][min(lookups[host], len(answers[host])) - 1]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    class Resolver:
        def answer(self, host: str, *answers_in_turn: list[str]) -> None:
            answers[host] = list(answers_in_turn)

        def lookups(self, host: str) -> int:
            return lookups.get(host, 0)

    return Resolver()


def test_private_targets_are_refused_unless_allowed_and_the_tests_do_not_allow_them(settings):
    assert settings.OUTBOUND_ALLOW_PRIVATE_TARGETS is False


def test_get_and_post_reach_an_allowed_target(receiver):
    response = outbound.get(receiver.url("/ok?page=1"), allow_private=True, headers={"X-Probe": "1"})

    assert response.status_code == 200 and response.text == "hello" and response.content == b"hello"
    assert receiver.seen[0].path == "/ok?page=1" and receiver.seen[0].headers["X-Probe"] == "1"

    with override_settings(OUTBOUND_ALLOW_PRIVATE_TARGETS=True):
        response = outbound.post(receiver.url("/echo"), json={"alert": "cpu"})

    assert response.json() == {"method": "POST", "body": '{"alert": "cpu"}'}
    assert receiver.seen[1].headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "10.0.0.1", "169.254.169.254", "0.0.0.0", "[::ffff:127.0.0.1]", "2130706433"],
)
def test_a_target_on_a_private_or_loopback_address_is_refused_before_any_connection(receiver, host):
    with pytest.raises(TargetRefused) as refused:
        outbound.get(receiver.url("/ok?token=s3cret", host=host), timeout=1)

    message = str(refused.value)
    assert f"http://{host}:{receiver.port} resolves to a loopback, private, link-local or reserved address" in message
    assert "OUTBOUND_ALLOW_PRIVATE_TARGETS" in message and "s3cret" not in message
    assert receiver.seen == []


def test_a_host_with_any_private_address_among_its_addresses_is_refused(receiver, resolver):
    resolver.answer("mixed.test", ["93.184.215.14", "127.0.0.1"])

    with pytest.raises(TargetRefused):
        outbound.get(receiver.url("/ok", host="mixed.test"))

    assert receiver.seen == [] and resolver.lookups("mixed.test") == 1


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("8.8.8.8", False),
        ("2606:4700:4700::1111", False),
        ("2002:808:808::1", False),  # 6to4 of a public address
        ("64:ff9b::808:808", False),  # NAT64 of a public address
        ("127.0.0.2", True),
        ("172.16.5.4", True),
        ("192.168.1.1", True),
        ("100.64.0.1", True),  # shared address space (carrier NAT, some metadata services)
        ("224.0.0.1", True),
        ("ff02::1", True),
        ("240.0.0.1", True),
        ("255.255.255.255", True),
        ("fc00::1", True),
        ("fe80::1", True),
        ("::", True),
        ("::127.0.0.1", True),
        ("::ffff:10.1.2.3", True),
        ("2002:7f00:1::1", True),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", True),  # 6to4 of 169.254.169.254
        ("64:ff9b::a00:1", True),  # NAT64 of 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", True),  # Teredo
    ],
)
def test_which_addresses_are_refused(address, refused):
    assert outbound.refused_address(ipaddress.ip_address(address)) is refused


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/file", "file:///etc/passwd", "gopher://example.com/", "example.com/path", "//example.com/"],
)
def test_only_http_and_https_urls_are_allowed(url):
    with pytest.raises(TargetRefused, match="only http:// and https://|not valid|no host"):
        outbound.get(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://user:hunter2pass@127.0.0.1:{port}/ok",
        "http://93.184.215.14:{port}@127.0.0.1:{port}/ok",
        "http://example.com\\@127.0.0.1:{port}/ok",
        "http://example.com\\hunter2pass/ok",
        "http://127.0.0.1:{port}/ok hunter2pass",
        "http://127.0.0.1:{port}/ok\r\nX-Injected: hunter2pass",
    ],
)
def test_urls_whose_host_could_be_read_two_ways_are_refused_without_quoting_them(receiver, url):
    with pytest.raises(TargetRefused) as refused:
        outbound.get(url.format(port=receiver.port), allow_private=True)

    assert "hunter2pass" not in str(refused.value) and "@" not in str(refused.value)
    assert receiver.seen == []


def test_a_header_that_would_inject_another_is_not_sent(receiver):
    with pytest.raises(OutboundError, match="a header name or value is not valid"):
        outbound.get(receiver.url("/ok"), allow_private=True, headers={"X-Token": "s3cret\r\nX-Injected: 1"})

    assert receiver.seen == []


def test_a_redirect_is_returned_as_it_is_and_not_followed(receiver):
    response = outbound.get(receiver.url("/redirect"), allow_private=True)

    assert response.status_code == 302 and response.headers["Location"] == "/target"
    assert [seen.path for seen in receiver.seen] == ["/redirect"]


def test_a_target_that_does_not_answer_in_time_is_a_timeout_that_names_only_its_origin(receiver):
    started = time.monotonic()
    with pytest.raises(OutboundTimeout) as raised:
        outbound.get(receiver.url("/sleep?api_key=s3cret"), allow_private=True, timeout=0.3)

    assert time.monotonic() - started < 3
    assert str(raised.value) == f"http://127.0.0.1:{receiver.port} did not answer within 0.3 s."
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_the_default_timeout_is_the_setting(receiver):
    with override_settings(OUTBOUND_TIMEOUT_SECONDS=0.3), pytest.raises(OutboundTimeout, match="within 0.3 s"):
        outbound.get(receiver.url("/sleep"), allow_private=True)

    assert outbound.default_timeout() == (5.0, 10.0)


def test_a_body_sent_slowly_must_arrive_within_the_deadline(receiver):
    started = time.monotonic()
    with pytest.raises(OutboundTimeout, match="did not send its whole answer in time"):
        outbound.get(receiver.url("/drip"), allow_private=True, timeout=(0.5, 0.5))

    assert time.monotonic() - started < 3


@pytest.mark.parametrize("path", ["/big", "/big-unsized"])
def test_an_answer_larger_than_the_limit_is_an_error(receiver, path):
    assert outbound.get(receiver.url(f"{path}?n=1000"), allow_private=True, max_bytes=1000).content == b"x" * 1000

    with pytest.raises(OutboundError, match=f"answer of http://127.0.0.1:{receiver.port} is larger than 1,000 bytes"):
        outbound.get(receiver.url(f"{path}?n=1001&secret=s3cret"), allow_private=True, max_bytes=1000)


def test_the_limit_is_of_the_body_not_of_a_head_answers_content_length(receiver):
    response = outbound.request("HEAD", receiver.url("/big?n=5000"), allow_private=True, max_bytes=1000)

    assert response.status_code == 200 and response.headers["Content-Length"] == "5000" and response.content == b""


def test_an_answer_of_the_default_limit_is_read_and_one_byte_more_is_refused(receiver):
    limit = outbound.MAX_BYTES
    assert len(outbound.get(receiver.url(f"/big-unsized?n={limit}"), allow_private=True).content) == limit

    with pytest.raises(OutboundError, match="larger than 5,242,880 bytes"):
        outbound.get(receiver.url(f"/big-unsized?n={limit + 1}"), allow_private=True)


def test_a_refused_connection_names_the_origin_only():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    with pytest.raises(OutboundConnectionError) as raised:
        outbound.get(f"http://127.0.0.1:{port}/api/v1/query?query=up&token=s3cret", allow_private=True)

    assert str(raised.value) == f"Could not connect to http://127.0.0.1:{port}."


def test_the_connection_goes_to_the_address_that_was_checked(receiver, resolver):
    # The second lookup would answer an address nothing listens on (DNS rebinding): there is none.
    resolver.answer("rebind.test", ["127.0.0.1"], ["127.0.0.2"])

    response = outbound.get(receiver.url("/ok", host="rebind.test"), allow_private=True)
    assert response.status_code == 200
    assert resolver.lookups("rebind.test") == 1
    assert receiver.seen[0].headers["Host"] == f"rebind.test:{receiver.port}"

    # The next request looks the name up again, and goes where that lookup said.
    with pytest.raises(OutboundConnectionError, match=f"Could not connect to http://rebind.test:{receiver.port}"):
        outbound.get(receiver.url("/ok", host="rebind.test"), allow_private=True)
    assert resolver.lookups("rebind.test") == 2
    assert len(receiver.seen) == 1


def test_an_international_host_name_is_resolved_and_sent_idna_encoded(receiver, resolver):
    resolver.answer("xn--bcher-kva.test", ["127.0.0.1"])

    assert outbound.get(receiver.url("/ok", host="bücher.test"), allow_private=True).text == "hello"
    assert receiver.seen[0].headers["Host"] == f"xn--bcher-kva.test:{receiver.port}"


def test_an_unknown_host_is_a_connection_error():
    with pytest.raises(OutboundConnectionError, match=r"Could not resolve the host of https://nowhere\.invalid\."):
        outbound.get("https://nowhere.invalid/path?token=s3cret")


def test_proxies_from_the_environment_are_not_used(receiver, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed}")
    monkeypatch.setenv("NO_PROXY", "")

    assert outbound.get(receiver.url("/ok"), allow_private=True).text == "hello"


# --- TLS: the pinned address, with the host name's certificate check and server name -------------


def self_signed(tmp_path, name: str) -> tuple[ssl.SSLContext, str, list[str]]:
    """A server context with a certificate for `name`, the certificate's path (to trust it), and
    the server names (SNI) clients sent."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = tmp_path / f"{name}.pem"
    key_path = tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server_names: list[str] = []
    context.sni_callback = lambda sock, server_name, ctx: server_names.append(server_name)
    return context, str(cert_path), server_names


def test_https_to_the_pinned_address_keeps_the_host_names_server_name_and_certificate_check(tmp_path, resolver):
    context, cert_path, server_names = self_signed(tmp_path, "rebind.test")
    server = Receiver(tls=context)
    try:
        resolver.answer("rebind.test", ["127.0.0.1"])
        response = outbound.get(
            server.url("/ok", host="rebind.test", scheme="https"), allow_private=True, verify=cert_path
        )
        assert response.text == "hello"
        assert server_names == ["rebind.test"]
        assert server.seen[0].headers["Host"] == f"rebind.test:{server.port}"

        # The same server under another name: its certificate does not match, so the request fails.
        resolver.answer("other.test", ["127.0.0.1"])
        with pytest.raises(OutboundConnectionError, match="certificate could not be verified"):
            outbound.get(
                server.url("/ok?token=s3cret", host="other.test", scheme="https"), allow_private=True, verify=cert_path
            )
        # And without the certificate trusted, neither does the right name.
        failed = f"TLS connection to https://rebind.test:{server.port} failed"
        with pytest.raises(OutboundConnectionError, match=failed):
            outbound.get(server.url("/ok", host="rebind.test", scheme="https"), allow_private=True)
        assert len(server.seen) == 1
    finally:
        server.stop()

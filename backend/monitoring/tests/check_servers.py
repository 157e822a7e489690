"""Local targets for check tests: an HTTP(S) server on 127.0.0.1 with a few fixed paths, and a
self-signed certificate that expires in a given number of days."""

import ssl
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class TargetServer:
    """/ok (200 "all systems go"), /error (500), /slow (answers after `slow_seconds`),
    /redirect (302 to /ok), /loop (302 to itself), /status/<code>. Records each path asked for."""

    def __init__(self, *, certificate: tuple[Path, Path] | None = None, slow_seconds: float = 3.0):
        self.paths: list[str] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, code, body=b"", headers=None):
                self.send_response(code)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self):
                server.paths.append(self.path)
                if self.path == "/ok":
                    self._answer(200, b"all systems go")
                elif self.path == "/error":
                    self._answer(500, b"broken")
                elif self.path == "/slow":
                    server.release.wait(slow_seconds)
                    self._answer(200, b"late")
                elif self.path == "/redirect":
                    self._answer(302, headers={"Location": "/ok"})
                elif self.path == "/loop":
                    self._answer(302, headers={"Location": "/loop"})
                elif self.path == "/odd-charset":
                    self._answer(200, b"all systems go", {"Content-Type": "text/plain; charset=no-such-codec"})
                elif self.path.startswith("/status/"):
                    self._answer(int(self.path.rsplit("/", 1)[1]), b"status")
                else:
                    self._answer(404, b"no")

            do_HEAD = do_GET
            do_POST = do_GET

            def log_message(self, format, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if certificate is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(certificate[0]), str(certificate[1]))
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        time.sleep(0)


def self_signed_certificate(directory: Path, *, days_left: float) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, signed by its own key, expiring in `days_left`
    days (negative: expired): (certificate file, key file)."""
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=days_left))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))
    return cert_path, key_path

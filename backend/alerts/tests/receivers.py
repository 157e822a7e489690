"""Real receivers on 127.0.0.1 for notifier tests: an HTTP server standing in for Slack's incoming
webhook, and an SMTP server. Both record what arrived and can be told how to answer."""

import asyncio
import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.smtp import SMTP

# --- HTTP (Slack webhook) -------------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: str = "ok"
    headers: dict = field(default_factory=dict)
    # Hold the request open this long (seconds, bounded by the server's release event) before
    # answering: past the client's timeout.
    hang: float = 0.0
    # Answer with the request itself (request line, headers, body) after `body`: a receiver that
    # quotes what it was sent in its error, as some do.
    echo: bool = False


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


class WebhookServer:
    """A threaded HTTP server on 127.0.0.1 and a free port. Answers with the queued replies in
    order, then with `default_reply`."""

    def __init__(self):
        self.requests: list[ReceivedRequest] = []
        self.replies: list[Reply] = []
        self.default_reply = Reply()
        self._release = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with server._lock:
                    server.requests.append(ReceivedRequest("POST", self.path, dict(self.headers), body))
                    reply = server.replies.pop(0) if server.replies else server.default_reply
                if reply.hang:
                    # Waits on an event, not a clock: the fixture releases it at teardown.
                    server._release.wait(reply.hang)
                try:
                    payload = reply.body.encode()
                    if reply.echo:
                        head = "".join(f"{name}: {value}\r\n" for name, value in self.headers.items())
                        payload += f" POST {self.path}\r\n{head}\r\n".encode() + body
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

            def log_message(self, format, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        # A short poll interval: shutdown() waits for the serving loop to notice.
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SMTP -----------------------------------------------------------------------------------------


class RecordingHandler:
    """aiosmtpd handler: keeps every message; `rcpt_reply` / `data_reply` make it refuse."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.rcpt_reply: str | None = None
        self.data_reply: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


class SMTPReceiver:
    """An aiosmtpd SMTP server on 127.0.0.1 and a free port, on its own event-loop thread."""

    def __init__(self):
        self.handler = RecordingHandler()
        self.loop = asyncio.new_event_loop()
        self._server = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = None

    @property
    def messages(self):
        return self.handler.messages

    def start(self):
        self._thread.start()

        async def serve():
            return await self.loop.create_server(
                lambda: SMTP(self.handler, hostname="resee-test-smtp"), host="127.0.0.1", port=0
            )

        self._server = asyncio.run_coroutine_threadsafe(serve(), self.loop).result(timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self):
        server = self._server
        assert server is not None, "stop() before start()"

        async def close():
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop.close()

"""A small stand-in for a Prometheus HTTP API on 127.0.0.1, for the data source's error paths: it
answers /api/v1/query and /api/v1/query_range with what a test sets (a vector by default), records
every request (path, parameters, headers), and can answer late, with an HTTP error or with
Prometheus' `status: error`."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


def vector(*series: tuple[dict, float | str], at: float = 0.0) -> dict:
    """An instant query's answer: (labels, value) per series."""
    return {"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": labels, "value": [at, str(value)]} for labels, value in series
    ]}}


def matrix(*series: tuple[dict, list[tuple[float, float]]] | tuple[dict, list]) -> dict:
    return {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": labels, "values": [[t, str(v)] for t, v in values]} for labels, values in series
    ]}}


def error(kind: str, message: str) -> dict:
    return {"status": "error", "errorType": kind, "error": message}


@dataclass
class Answer:
    body: dict | str = field(default_factory=lambda: vector(({}, 1)))
    status: int = 200
    # Answer after this many seconds (bounded by the server's release at shutdown).
    delay: float = 0.0


class FakePrometheus:
    def __init__(self):
        self.seen: list[Seen] = []
        # Path -> answer; a callable gets the request's parameters and returns an Answer.
        self.answers: dict[str, object] = {"/api/v1/query": Answer(), "/api/v1/query_range": Answer(matrix())}
        self._release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                server.seen.append(Seen(parts.path, params, dict(self.headers)))
                answer = server.answers.get(parts.path) or Answer("404 page not found", 404)
                if callable(answer):
                    answer = answer(params)
                assert isinstance(answer, Answer)
                if answer.delay:
                    server._release.wait(answer.delay)
                body = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
                data = body.encode()
                try:
                    self.send_response(answer.status)
                    kind = "text/plain" if isinstance(answer.body, str) else "application/json"
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def queries(self) -> list[Seen]:
        return [s for s in self.seen if s.path == "/api/v1/query"]

    def close(self):
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

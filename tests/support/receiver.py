"""A notification receiver for tests: a real HTTP server on 127.0.0.1 that records every POST (path, lower-cased
headers, JSON body) and answers 500 to the first `fail_first` of them, then `status`."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self, fail_first: int = 0, status: int = 200, reply: dict[str, Any] | None = None) -> None:
        self.fail_first = fail_first
        self.status = status
        self.reply = reply or {"ok": True}
        self.received: list[dict[str, Any]] = []  # delivered (answered with `status`)
        self.attempts = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.attempts += 1
                    failing = receiver.attempts <= receiver.fail_first
                    status = 500 if failing else receiver.status
                    if not failing:
                        headers = {k.lower(): v for k, v in self.headers.items()}
                        receiver.received.append({"path": self.path, "headers": headers,
                                                  "json": json.loads(body or b"null")})
                payload = json.dumps(receiver.reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        """The first `count` delivered requests, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.received)

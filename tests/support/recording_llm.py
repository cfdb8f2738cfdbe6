"""A real HTTP server that records every request body and answers in the shape of the provider that was called.

It speaks the three request shapes the LLM port sends: OpenAI-compatible chat completions (`/v1/chat/completions`),
the Anthropic Messages API (`/v1/messages`) and Bedrock Converse (`/model/<id>/converse`, what botocore posts when
`endpoint_url` points here). Every answer is the same JSON object (`answer`), wrapped as that provider would wrap it.
`raw` keeps each body exactly as received, for asserting that a value never crossed the wire in any encoding.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _wrapped(path: str, text: str) -> dict[str, Any] | None:
    if path.endswith("/chat/completions"):
        return {"id": "chatcmpl-rec", "object": "chat.completion", "created": 0, "model": "recorder",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1}}
    if path.endswith("/v1/messages"):
        return {"id": "msg_rec", "type": "message", "role": "assistant", "model": "recorder",
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                "usage": {"input_tokens": 1, "output_tokens": 1}}
    if path.startswith("/model/") and path.endswith("/converse"):
        return {"output": {"message": {"role": "assistant", "content": [{"text": text}]}}, "stopReason": "end_turn",
                "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}, "metrics": {"latencyMs": 1}}
    return None


class RecordingLLMServer:
    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = json.dumps(answer)
        self.raw: list[str] = []  # request bodies as received (decoded UTF-8)
        self.paths: list[str] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> RecordingLLMServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, name="llm-recorder", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


def _handler_for(server: RecordingLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace")
            path = self.path.split("?")[0]
            with server._lock:
                server.raw.append(raw)
                server.paths.append(path)
            body = _wrapped(path, server.answer)
            payload = json.dumps(body if body is not None else {"message": "unknown path"}).encode()
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler

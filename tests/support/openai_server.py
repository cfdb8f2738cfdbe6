"""A real OpenAI-compatible HTTP server for tests, answering from recorded or scripted replies.

No registry package ships the weights of a small chat model, so tests that need "a real OpenAI-compatible server"
start this one on 127.0.0.1 (a free port, a daemon thread). Replies are chosen per request:
1. the next scripted reply, if any are queued (`enqueue`), in order;
2. else the first rule whose key occurs (case-insensitive) in the last user message (`on`, or a recording file);
3. else a responder function, if given; else the default reply; else 404 "no recorded reply".
A reply can also simulate failures: a slow answer (for client timeouts), 429 with Retry-After, 5xx, a body that
is not JSON, or any content (such as JSON that violates the caller's schema).

    with OpenAIReplayServer() as server:
        server.on("disk full", Reply.json({"answer": "..."}))
        provider = OpenAICompatProvider(model=server.model, base_url=server.base_url)
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One HTTP answer. Build with the class methods."""

    status: int = 200
    content: str | None = None  # the assistant message, for a 200 completion
    raw_body: str | None = None  # sent verbatim instead of a completion (errors, garbage)
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0

    @classmethod
    def text(cls, content: str) -> Reply:
        return cls(content=content)

    @classmethod
    def json(cls, value: dict[str, Any]) -> Reply:
        return cls(content=json.dumps(value))

    @classmethod
    def error(cls, status: int, message: str = "simulated failure", headers: dict[str, str] | None = None) -> Reply:
        body = json.dumps({"error": {"message": message, "type": "server_error" if status >= 500 else "invalid"}})
        return cls(status=status, raw_body=body, headers=headers or {})

    @classmethod
    def rate_limited(cls, retry_after: float = 1) -> Reply:
        return cls.error(429, "rate limit reached", {"Retry-After": f"{retry_after:g}"})

    @classmethod
    def garbage(cls, body: str = "<html>502 Bad Gateway</html>") -> Reply:
        return cls(raw_body=body, headers={"Content-Type": "text/html"})

    def slow(self, seconds: float) -> Reply:
        """This reply, sent after `seconds` (a client with a shorter timeout gives up first)."""
        return Reply(self.status, self.content, self.raw_body, self.headers, seconds)


Responder = Callable[[dict[str, Any]], Reply | None]


def last_user_message(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if message.get("role") == "user":
            content = message.get("content")
            return content if isinstance(content, str) else json.dumps(content)
    return ""


class OpenAIReplayServer:
    def __init__(self, *, model: str = "replay-model", default: Reply | None = None,
                 responder: Responder | None = None, recording: Path | None = None) -> None:
        self.model = model
        self.default = default
        self.responder = responder
        self.requests: list[dict[str, Any]] = []  # every chat-completion body received, for assertions
        self.request_headers: list[dict[str, str]] = []  # and its headers, in the same order
        self._queue: list[Reply] = []
        self._rules: list[tuple[str, Reply]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        if recording is not None:
            self.load(recording)

    # -- scripting -------------------------------------------------------------------------------------------
    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def on(self, key: str, reply: Reply) -> None:
        with self._lock:
            self._rules.append((key.lower(), reply))

    def load(self, path: Path) -> None:
        """Rules from a recording: {"model"?, "replies": [{"match": key, "content": str | "json": obj}, ...]}."""
        data = json.loads(Path(path).read_text())
        self.model = data.get("model", self.model)
        for entry in data["replies"]:
            reply = Reply.json(entry["json"]) if "json" in entry else Reply.text(entry["content"])
            self.on(entry["match"], reply)

    def choose(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
            asked = last_user_message(body).lower()
            for key, reply in self._rules:
                if key in asked:
                    return reply
        chosen = self.responder(body) if self.responder else None
        return chosen or self.default or Reply.error(404, "no recorded reply matches this request")

    # -- lifecycle -------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> OpenAIReplayServer:
        self._stopping.clear()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, name="openai-replay", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping on a slow reply
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> OpenAIReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- answers ---------------------------------------------------------------------------------------------
    def completion(self, reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        content = reply.content or ""
        prompt_chars = sum(len(str(m.get("content", ""))) for m in body.get("messages") or [])
        usage = {"prompt_tokens": prompt_chars // 4 + 1, "completion_tokens": len(content) // 4 + 1}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        with self._lock:
            number = len(self.requests)
        return {"id": f"chatcmpl-replay-{number}", "object": "chat.completion", "created": 0,
                "model": body.get("model") or self.model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": "stop"}],
                "usage": usage}

    def models(self) -> dict[str, Any]:
        return {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "faultmaven-tests"}]}


def _handler_for(server: OpenAIReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: test output stays readable
            pass

        def _send(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
            payload = body.encode()
            self.send_response(status)
            merged = {"Content-Type": "application/json", **(headers or {})}
            for name, value in merged.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                self._send(200, json.dumps(server.models()))
            else:
                self._send(404, json.dumps({"error": {"message": "not found"}}))

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, json.dumps({"error": {"message": "not found"}}))
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self._send(400, json.dumps({"error": {"message": "request body is not JSON"}}))
                return
            reply = server.choose(body)
            with server._lock:
                server.requests.append(body)
                server.request_headers.append(dict(self.headers.items()))
            if reply.delay_seconds and server._stopping.wait(reply.delay_seconds):
                return  # the server is stopping: drop the slow reply
            try:
                if reply.raw_body is not None:
                    self._send(reply.status, reply.raw_body, reply.headers)
                else:
                    self._send(reply.status, json.dumps(server.completion(reply, body)), reply.headers)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a simulated timeout)

    return Handler

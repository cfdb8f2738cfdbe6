"""A real OIDC provider on 127.0.0.1 for SSO tests: discovery, JWKS, an authorize endpoint that signs the user in at
once, and a token endpoint that checks the code, redirect URI and PKCE verifier and answers with an RS256 ID token.

    with OidcIssuer(client_id="fm-web") as idp:
        idp.user = {"sub": "u-1", "email": "ann@example.com", "email_verified": True}
        idp.tamper = lambda claims, headers: ...   # to forge a bad token (wrong audience, algorithm, key...)
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

Tamper = Callable[[dict[str, Any], dict[str, Any]], "str | None"]  # may return a whole token instead


class OidcIssuer:
    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self.user: dict[str, Any] = {"sub": "idp-user-1", "email": "ann@example.com", "email_verified": True,
                                     "name": "Ann SRE"}
        self.tamper: Tamper | None = None
        self.grants: dict[str, dict[str, str]] = {}  # code -> the authorize request it answers
        self.token_requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/realm"

    def __enter__(self) -> OidcIssuer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 300, "nonce": nonce, **self.user}
        headers = {"kid": self.kid}
        if self.tamper is not None:
            forged = self.tamper(claims, headers)
            if forged is not None:
                return forged
        return jwt.encode(claims, self.key, algorithm="RS256", headers=headers)

    def _jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()

        def b64(n: int) -> str:
            return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()

        return {"keys": [{"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256", "n": b64(numbers.n),
                          "e": b64(numbers.e)}]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path == "/realm/.well-known/openid-configuration":
                    base = issuer.url
                    self._json(200, {"issuer": base, "authorization_endpoint": f"{base}/authorize",
                                     "token_endpoint": f"{base}/token", "jwks_uri": f"{base}/jwks",
                                     "id_token_signing_alg_values_supported": ["RS256"]})
                elif parts.path == "/realm/jwks":
                    self._json(200, issuer._jwks())
                elif parts.path == "/realm/authorize":
                    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    if query.get("client_id") != issuer.client_id or query.get("code_challenge_method") != "S256":
                        self._json(400, {"error": "invalid_request"})
                        return
                    code = secrets.token_urlsafe(16)
                    issuer.grants[code] = query
                    self.send_response(302)
                    back = urlencode({"code": code, "state": query["state"]})
                    self.send_header("Location", f"{query['redirect_uri']}?{back}")
                    self.end_headers()
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                issuer.token_requests += 1
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                grant = issuer.grants.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if (urlsplit(self.path).path != "/realm/token" or grant is None
                        or form.get("redirect_uri") != grant["redirect_uri"]
                        or form.get("client_id") != issuer.client_id or challenge != grant["code_challenge"]):
                    self._json(400, {"error": "invalid_grant"})
                    return
                self._json(200, {"access_token": "idp-access", "token_type": "Bearer", "expires_in": 300,
                                 "id_token": issuer.id_token(grant["nonce"])})

        return Handler

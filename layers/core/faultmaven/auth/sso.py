"""Single sign-on: an OIDC provider's sign-in traded for FaultMaven's own tokens.

The browser goes to the provider (authorization code + PKCE + nonce), comes back to our callback, and we check the
provider's ID token against its JWKS — issuer, audience (our client id) and algorithm pinned, expiry, nonce — then
hand the dashboard a short single-use completion code, which `/sso/exchange` trades for our access and refresh
tokens. The API Gateway authorizer and every function therefore trust one issuer: ours.

State lives in the browser, not in a table: the `state` value is bound to a cookie holding a token we signed (the
nonce, the PKCE verifier and the return path), and the completion code is a record in the refresh-token store,
spent atomically on its first exchange.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from faultmaven.auth.passwords import hash_password
from faultmaven.auth.service import AuthService
from faultmaven.clock import iso, new_id, now, now_epoch
from faultmaven.errors import Unauthorized
from faultmaven.ports.users import RefreshTokenRecord, UserRecord

ALGORITHMS = ["RS256"]  # pinned: the provider's tokens are never accepted under another algorithm
STATE_TTL = 600  # seconds a sign-in may take at the provider
CODE_TTL = 60  # seconds the dashboard has to exchange its completion code
HTTP_TIMEOUT = 10
CODE_FAMILY = "sso-completion"  # completion codes share the refresh-token store under their own family


@dataclass(frozen=True)
class OidcClient:
    issuer: str
    client_id: str
    client_secret: str | None
    redirect_uri: str
    scopes: str = "openid email profile"

    @cached_property
    def discovery(self) -> dict[str, Any]:
        found = _get_json(f"{self.issuer.rstrip('/')}/.well-known/openid-configuration")
        if found.get("issuer") != self.issuer:
            raise Unauthorized("the identity provider's discovery document names another issuer", code="SSO_FAILED")
        return found

    @cached_property
    def _keys(self) -> Any:
        import jwt  # not at cold start (see faultmaven.auth.tokens)

        return jwt.PyJWKClient(self.discovery["jwks_uri"], timeout=HTTP_TIMEOUT)

    def authorize_url(self, state: str, nonce: str, verifier: str, screen_hint: str | None) -> str:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
                 "scope": self.scopes, "state": state, "nonce": nonce, "code_challenge": challenge,
                 "code_challenge_method": "S256"}
        if screen_hint:
            query["screen_hint"] = screen_hint
        return f"{self.discovery['authorization_endpoint']}?{urllib.parse.urlencode(query)}"

    def redeem(self, code: str, verifier: str) -> str:
        """The ID token the provider gives for an authorization code."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri,
                "client_id": self.client_id, "code_verifier": verifier}
        if self.client_secret:
            form["client_secret"] = self.client_secret
        answer = _post_form(self.discovery["token_endpoint"], form)
        if not isinstance(answer.get("id_token"), str):
            raise Unauthorized("the identity provider returned no ID token", code="SSO_FAILED")
        return answer["id_token"]

    def verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims, if its signature (by a key of the provider's JWKS) and claims hold."""
        import jwt

        try:
            key = self._keys.get_signing_key_from_jwt(id_token)
            claims = jwt.decode(id_token, key.key, algorithms=ALGORITHMS, audience=self.client_id,
                                issuer=self.issuer, options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        except jwt.PyJWTError as exc:
            raise Unauthorized("the identity provider's token did not verify", code="SSO_FAILED") from exc
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise Unauthorized("the identity provider's token is not for this sign-in", code="SSO_FAILED")
        return claims


class SsoService:
    def __init__(self, client: OidcClient, auth: AuthService) -> None:
        self.client = client
        self.auth = auth

    def begin(self, return_to: str | None, screen_hint: str | None) -> tuple[str, str]:
        """(the provider's sign-in URL, the signed cookie that binds its `state` to this browser)."""
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        iat = now_epoch()
        cookie = self.auth.issuer.sign({"iss": self.auth.issuer.issuer, "aud": self.auth.issuer.audience,
                                        "sub": state, "jti": new_id(), "iat": iat, "exp": iat + STATE_TTL,
                                        "typ": "sso_state", "nonce": nonce, "pkce": verifier,
                                        "return_to": _same_origin_path(return_to)})
        return self.client.authorize_url(state, nonce, verifier, screen_hint), cookie

    def complete(self, code: str, state: str, cookie: str | None) -> tuple[str, str]:
        """(a single-use completion code, the dashboard path to return to) for the provider's answer."""
        if not cookie:
            raise Unauthorized("the sign-in state cookie is missing", code="SSO_STATE_MISMATCH")
        bound = self.auth.issuer.verify(cookie, "sso_state")
        if not secrets.compare_digest(str(bound["sub"]), state):
            raise Unauthorized("the sign-in state does not match this browser", code="SSO_STATE_MISMATCH")
        claims = self.client.verify(self.client.redeem(code, str(bound["pkce"])), str(bound["nonce"]))
        user = self._user_for(claims)
        completion = secrets.token_urlsafe(48)  # 64 characters, within the contract's 16-128
        self.auth.tokens.put(RefreshTokenRecord(token_id=_code_id(completion), family_id=CODE_FAMILY,
                                                user_id=user.user_id, expires_at=now_epoch() + CODE_TTL))
        return completion, str(bound.get("return_to") or "")

    def exchange(self, completion: str) -> UserRecord:
        """The user a completion code was made for; every failure is the same 401 (no hint to a guesser)."""
        record = self.auth.tokens.get(_code_id(completion))
        if (record is None or record.family_id != CODE_FAMILY or record.expires_at <= now_epoch()
                or not self.auth.tokens.mark_used(record.token_id)):
            raise Unauthorized("invalid or expired sign-in code", code="INVALID_SSO_CODE")
        try:
            return self.auth.get_user(record.user_id)
        except Unauthorized:  # the user was removed since the callback
            raise Unauthorized("invalid or expired sign-in code", code="INVALID_SSO_CODE") from None

    def _user_for(self, claims: dict[str, Any]) -> UserRecord:
        """The account of this provider identity (issuer + subject), created on its first sign-in.

        Never linked to a password account by e-mail: a provider that lets users set any address would otherwise
        take over local accounts. The account gets an unusable random password.
        """
        user_id = "user_sso_" + hashlib.sha256(f"{self.client.issuer}|{claims['sub']}".encode()).hexdigest()[:24]
        existing = self.auth.users.get(user_id)
        if existing is not None:
            return existing
        email = str(claims.get("email") or "")
        wanted = email if email and claims.get("email_verified") is not False else str(
            claims.get("preferred_username") or claims.get("cognito:username") or claims["sub"])
        username = _username(wanted)
        if self.auth.users.get_by_username(username) is not None:  # a local account has it: keep both apart
            username = _username(f"{wanted}+sso-{user_id[-6:]}")
        user = UserRecord(user_id=user_id, username=username,
                          email=email or f"{username}@users.faultmaven.local",
                          display_name=str(claims.get("name") or wanted)[:200],
                          password_hash=hash_password(secrets.token_urlsafe(32)), created_at=iso(now()))
        self.auth.users.create(user)
        return user


def _code_id(completion: str) -> str:
    """Stored under a hash: a leaked table row is not a usable code."""
    return "sso_" + hashlib.sha256(completion.encode()).hexdigest()


def _username(wanted: str) -> str:
    cleaned = re.sub(r"[^a-z0-9._@+-]", "-", wanted.strip().lower()).strip("-._@+") or "sso-user"
    return cleaned[:100] if len(cleaned) > 1 else f"{cleaned}-sso"


def _same_origin_path(return_to: str | None) -> str:
    """Only a path on the dashboard's own origin: never `//host` or a scheme (an open redirect)."""
    if not return_to or not return_to.startswith("/") or return_to.startswith("//") or "\\" in return_to:
        return ""
    return return_to[:512]


def _get_json(url: str) -> dict[str, Any]:
    return _read(urllib.request.Request(url, headers={"Accept": "application/json"}))  # noqa: S310 - http(s) only


def _post_form(url: str, form: dict[str, str]) -> dict[str, Any]:
    body = urllib.parse.urlencode(form).encode()
    return _read(urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 - http(s) only
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}))


def _read(request: urllib.request.Request) -> dict[str, Any]:
    if urllib.parse.urlsplit(request.full_url).scheme not in ("http", "https"):
        raise Unauthorized("the identity provider's endpoints must be http(s)", code="SSO_FAILED")
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 - checked above
            answer = json.loads(response.read(1_000_000))
    except (OSError, ValueError) as exc:
        raise Unauthorized("the identity provider could not be reached or answered badly",
                           code="SSO_FAILED") from exc
    if not isinstance(answer, dict):
        raise Unauthorized("the identity provider answered badly", code="SSO_FAILED")
    return answer

"""Issue and verify JWTs. One helper for the whole code base; the algorithm is pinned to RS256.

PyJWT (with cryptography, ~70 ms) is imported on the first token, not at cold start: preflights, public routes and
requests without a token never need it.
"""

from __future__ import annotations

from faultmaven.auth.keys import ALGORITHM, SigningKey
from faultmaven.clock import new_id, now_epoch
from faultmaven.errors import Unauthorized


class TokenIssuer:
    def __init__(self, key: SigningKey, *, issuer: str, audience: str, access_ttl: int, refresh_ttl: int) -> None:
        self.key = key
        self.issuer = issuer
        self.audience = audience
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl

    def sign(self, claims: dict[str, object]) -> str:
        if self.key.private is None:  # a deployment error: only the auth function is given the private key
            raise RuntimeError("this process holds only the JWT public key: it can verify tokens but not sign them")
        import jwt

        return jwt.encode(claims, self.key.private, algorithm=ALGORITHM, headers={"kid": self.key.kid})

    def access_token(self, user_id: str, username: str, roles: list[str], session_id: str | None = None) -> str:
        iat = now_epoch()
        claims: dict[str, object] = {"iss": self.issuer, "aud": self.audience, "sub": user_id, "iat": iat,
                                     "nbf": iat, "exp": iat + self.access_ttl, "jti": new_id(), "typ": "access",
                                     "username": username, "roles": roles}
        if session_id:
            claims["sid"] = session_id
        return self.sign(claims)

    def refresh_token(self, user_id: str, token_id: str, family_id: str,
                      session_id: str | None = None) -> tuple[str, int]:
        """A refresh token; it carries the sign-in's session id so rotated access tokens keep it (and its logout)."""
        iat = now_epoch()
        exp = iat + self.refresh_ttl
        claims: dict[str, object] = {"iss": self.issuer, "aud": self.audience, "sub": user_id, "iat": iat,
                                     "nbf": iat, "exp": exp, "jti": token_id, "fam": family_id, "typ": "refresh"}
        if session_id:
            claims["sid"] = session_id
        return self.sign(claims), exp

    def verify(self, token: str, expected_type: str) -> dict[str, object]:
        """Check signature, algorithm, issuer, audience, expiry and token type; raise `Unauthorized` otherwise."""
        import jwt

        try:
            claims = jwt.decode(token, self.key.public, algorithms=[ALGORITHM], audience=self.audience,
                                issuer=self.issuer, options={"require": ["exp", "iat", "sub", "jti", "iss", "aud"]})
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("token expired", code="TOKEN_EXPIRED") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("invalid token", code="INVALID_TOKEN") from exc
        if claims.get("typ") != expected_type:
            raise Unauthorized("invalid token", code="INVALID_TOKEN")
        return claims

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [self.key.jwk]}

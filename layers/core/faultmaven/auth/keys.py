"""The JWT key: from settings, from Secrets Manager, or (embedded) generated once in the data dir.

The auth function holds the private key, to sign. Every other function needs only to verify bearer tokens, so in
the cloud it is given the public key alone (FM_JWT_PUBLIC_KEY / FM_JWT_PUBLIC_KEY_SECRET_ARN) and cannot sign.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from faultmaven.secrets import load_secret, secrets_manager_value
from faultmaven.settings import Settings

if TYPE_CHECKING:  # cryptography is imported when a key is first loaded, not at cold start
    from cryptography.hazmat.primitives.asymmetric import rsa

ALGORITHM = "RS256"  # what API Gateway's JWT authorizer accepts; pinned on every verify


@dataclass(frozen=True)
class SigningKey:
    """The RSA key pair, as PEM and as loaded key objects; the private halves are None for a verify-only key.

    Tokens are signed with the loaded object: loading the PEM again validates the RSA key (~27 ms on one core,
    holding the GIL), which on every sign-in stalled the whole server (benchmarks/load.py)."""

    public_pem: bytes
    kid: str
    jwk: dict[str, str]
    public: rsa.RSAPublicKey = field(repr=False, compare=False)
    private_pem: bytes | None = field(default=None, repr=False)
    private: rsa.RSAPrivateKey | None = field(default=None, repr=False, compare=False)


def _b64u_int(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _key(public: rsa.RSAPublicKey, private: rsa.RSAPrivateKey | None = None,
         private_pem: bytes | None = None) -> SigningKey:
    from cryptography.hazmat.primitives import serialization

    public_pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    numbers = public.public_numbers()
    kid = hashlib.sha256(public_pem).hexdigest()[:16]
    jwk = {"kty": "RSA", "use": "sig", "alg": ALGORITHM, "kid": kid, "n": _b64u_int(numbers.n),
           "e": _b64u_int(numbers.e)}
    return SigningKey(public_pem=public_pem, kid=kid, jwk=jwk, public=public, private_pem=private_pem,
                      private=private)


def signing_key_from_pem(private_pem: bytes) -> SigningKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the JWT signing key must be an RSA private key")
    return _key(key.public_key(), key, private_pem)


def verification_key_from_pem(public_pem: bytes) -> SigningKey:
    """A verify-only key from the PEM public key (SubjectPublicKeyInfo)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = serialization.load_pem_public_key(public_pem)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the JWT public key must be an RSA public key")
    return _key(key)


def generate_private_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_signing_key(settings: Settings) -> SigningKey:
    """The private key when one is configured; else the public key (verify only) when that is; else, embedded, the
    key generated in the data dir."""
    has_private = settings.jwt_private_key is not None or bool(settings.jwt_secret_arn)
    if not has_private and settings.jwt_public_key:
        return verification_key_from_pem(settings.jwt_public_key.encode())
    if not has_private and settings.jwt_public_key_secret_arn:
        return verification_key_from_pem(secrets_manager_value(settings, settings.jwt_public_key_secret_arn))
    explicit = settings.jwt_private_key.get_secret_value() if settings.jwt_private_key else None
    return signing_key_from_pem(load_secret(settings, value=explicit, secret_id=settings.jwt_secret_arn,
                                            file_name="jwt-signing.pem", generate=generate_private_pem,
                                            what="the JWT signing key (FM_JWT_PRIVATE_KEY or FM_JWT_SECRET_ARN)"))

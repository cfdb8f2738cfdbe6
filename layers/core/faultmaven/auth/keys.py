"""The token-signing key: from settings, from Secrets Manager, or (embedded) generated once in the data dir."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from faultmaven.secrets import load_secret
from faultmaven.settings import Settings

ALGORITHM = "RS256"  # what API Gateway's JWT authorizer accepts; pinned on every verify


@dataclass(frozen=True)
class SigningKey:
    private_pem: bytes
    public_pem: bytes
    kid: str
    jwk: dict[str, str]


def _b64u_int(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def signing_key_from_pem(private_pem: bytes) -> SigningKey:
    key = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the JWT signing key must be an RSA private key")
    public = key.public_key()
    public_pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    numbers = public.public_numbers()
    kid = hashlib.sha256(public_pem).hexdigest()[:16]
    jwk = {"kty": "RSA", "use": "sig", "alg": ALGORITHM, "kid": kid, "n": _b64u_int(numbers.n),
           "e": _b64u_int(numbers.e)}
    return SigningKey(private_pem=private_pem, public_pem=public_pem, kid=kid, jwk=jwk)


def generate_private_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_signing_key(settings: Settings) -> SigningKey:
    explicit = settings.jwt_private_key.get_secret_value() if settings.jwt_private_key else None
    return signing_key_from_pem(load_secret(settings, value=explicit, secret_id=settings.jwt_secret_arn,
                                            file_name="jwt-signing.pem", generate=generate_private_pem,
                                            what="the JWT signing key (FM_JWT_PRIVATE_KEY or FM_JWT_SECRET_ARN)"))

"""The token-signing key: from settings, from Secrets Manager, or (embedded) generated once in the data dir."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

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


def _from_data_dir(data_dir: Path) -> bytes:
    path = data_dir / "keys" / "jwt-signing.pem"
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = generate_private_pem()
    # Write under a temporary name first, readable by the owner only, then move into place atomically.
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.replace(tmp, path)
    return path.read_bytes()


def _from_secrets_manager(settings: Settings) -> bytes:
    import boto3  # lazy: only the cloud path pays for boto3

    client = boto3.client("secretsmanager", region_name=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
    return client.get_secret_value(SecretId=settings.jwt_secret_arn)["SecretString"].encode()


def load_signing_key(settings: Settings) -> SigningKey:
    if settings.jwt_private_key is not None:
        return signing_key_from_pem(settings.jwt_private_key.get_secret_value().encode())
    if settings.jwt_secret_arn:
        return signing_key_from_pem(_from_secrets_manager(settings))
    if settings.mode == "embedded":
        return signing_key_from_pem(_from_data_dir(settings.data_dir))
    raise RuntimeError("FM_JWT_PRIVATE_KEY or FM_JWT_SECRET_ARN must be set outside the embedded mode")

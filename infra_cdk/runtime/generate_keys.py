"""Custom resource: fill each named secret with a freshly generated key, once, when the stack is created.

Kinds: `rsa-pem` (the JWT signing key, PEM) and `aes-256` (base64 of 32 random bytes; the redaction vault key). A key
with a `PublicSecretArn` also gets its PEM public key written there, on create and again on every update (from the
private key then current: stacks deployed before the public key existed get it filled, and a key replaced by hand
gets its public half refreshed). Updates keep the keys themselves (rotating the signing key would sign everyone out,
rotating the vault key would orphan every sealed placeholder map); deletes leave the secrets to their removal policy.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.request
from typing import Any

import boto3

from faultmaven.auth.keys import generate_private_pem, signing_key_from_pem

GENERATORS = {"rsa-pem": lambda: generate_private_pem().decode(),
              "aes-256": lambda: base64.b64encode(os.urandom(32)).decode()}


def _respond(event: dict[str, Any], status: str, reason: str = "") -> None:
    body = json.dumps({"Status": status, "Reason": reason[:500],
                       "PhysicalResourceId": event.get("PhysicalResourceId") or event["LogicalResourceId"],
                       "StackId": event["StackId"], "RequestId": event["RequestId"],
                       "LogicalResourceId": event["LogicalResourceId"], "Data": {}}).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",  # noqa: S310 - CloudFormation's URL
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        response.read()


def handler(event: dict[str, Any], context: Any) -> None:
    try:
        if event["RequestType"] in ("Create", "Update"):
            client = boto3.client("secretsmanager", endpoint_url=os.environ.get("FM_AWS_ENDPOINT_URL") or None)
            for key in event["ResourceProperties"]["Keys"]:
                public_arn = key.get("PublicSecretArn")
                if event["RequestType"] == "Create":
                    value = GENERATORS[key["Kind"]]()
                    client.put_secret_value(SecretId=key["SecretArn"], SecretString=value)
                elif public_arn:
                    value = client.get_secret_value(SecretId=key["SecretArn"])["SecretString"]
                else:
                    continue
                if public_arn:
                    public = signing_key_from_pem(value.encode()).public_pem.decode()
                    client.put_secret_value(SecretId=public_arn, SecretString=public)
        _respond(event, "SUCCESS")
    except Exception as exc:  # CloudFormation must hear back, or it waits for an hour
        _respond(event, "FAILED", f"{type(exc).__name__}: {exc}")

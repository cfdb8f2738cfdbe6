"""Custom resource: fill each named secret with a freshly generated key, once, when the stack is created.

Kinds: `rsa-pem` (the JWT signing key, PEM) and `aes-256` (base64 of 32 random bytes; the redaction vault key).
Updates keep the keys (rotating the signing key would sign everyone out, rotating the vault key would orphan every
sealed placeholder map); deletes leave the secrets to their own removal policy.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.request
from typing import Any

import boto3

from faultmaven.auth.keys import generate_private_pem

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
        if event["RequestType"] == "Create":
            client = boto3.client("secretsmanager", endpoint_url=os.environ.get("FM_AWS_ENDPOINT_URL") or None)
            for key in event["ResourceProperties"]["Keys"]:
                client.put_secret_value(SecretId=key["SecretArn"], SecretString=GENERATORS[key["Kind"]]())
        _respond(event, "SUCCESS")
    except Exception as exc:  # CloudFormation must hear back, or it waits for an hour
        _respond(event, "FAILED", f"{type(exc).__name__}: {exc}")

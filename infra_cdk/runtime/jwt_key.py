"""Custom resource: put a freshly generated RSA signing key into the JWT secret, once, when the stack is created.

Updates keep the key (rotating it would sign everyone out); deletes leave the secret to its own removal policy.
Runs with the core and dependency layers, so it reuses the project's own key generator.
"""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any

import boto3

from faultmaven.auth.keys import generate_private_pem


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
            secret_arn = event["ResourceProperties"]["SecretArn"]
            client = boto3.client("secretsmanager", endpoint_url=os.environ.get("FM_AWS_ENDPOINT_URL") or None)
            client.put_secret_value(SecretId=secret_arn, SecretString=generate_private_pem().decode())
        _respond(event, "SUCCESS")
    except Exception as exc:  # CloudFormation must hear back, or it waits for an hour
        _respond(event, "FAILED", f"{type(exc).__name__}: {exc}")

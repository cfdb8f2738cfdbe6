"""The clients' contract fuzzed against the app: every operation of the browser clients' subset of the FaultMaven
OpenAPI document (a copy in tests/fixtures/contract/) gets schema-generated requests from schemathesis, signed in as
a real user; none may answer 5xx. Bounded to a few examples per operation; the long run is in SECURITY.md."""

from __future__ import annotations

import json
from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from tests.conftest import SignedIn

CONTRACT = Path(__file__).parent.parent / "fixtures" / "contract" / "faultmaven-openapi.client-subset.json"
EXAMPLES_PER_OPERATION = 5


def test_no_5xx_for_schema_generated_requests(client: TestClient, alice: SignedIn) -> None:
    schema = schemathesis.openapi.from_dict(json.loads(CONTRACT.read_text()))
    schema.app = client.app
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith("/logout"):
            continue  # it would end the session every later request is signed in with

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(operation.as_strategy())
        def fuzz(case: schemathesis.Case) -> None:
            nonlocal calls
            response = case.call(headers=alice.headers)
            calls += 1
            if response.status_code >= 500:
                failures.append(f"{case.operation.label} -> {response.status_code}: {response.text[:200]}")

        fuzz()
    assert calls > 100
    assert failures == []

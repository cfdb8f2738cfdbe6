"""Shared fixtures: an embedded container and app on a temp dir, users with tokens, and moto-backed DynamoDB."""

from __future__ import annotations

import base64
import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

# Tests never reach AWS: fake credentials and no tracing, before anything imports boto3 or Powertools.
os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
                   "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true",
                   "POWERTOOLS_METRICS_NAMESPACE": "FaultMavenTests", "HF_HUB_OFFLINE": "1",
                   "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"})

from faultmaven.container import Container, set_container
from faultmaven.settings import Settings
from local.server import build_app

PASSWORD = "correct horse battery staple"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(mode="embedded", data_dir=tmp_path / "data", login_max_failures=3, login_lockout_seconds=60)


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    c = Container(settings)
    set_container(c)
    yield c
    set_container(None)


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(build_app(container.settings), raise_server_exceptions=False) as c:
        yield c


@dataclass
class SignedIn:
    user_id: str
    username: str
    access_token: str
    refresh_token: str
    session_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def sign_up(client: TestClient, username: str, password: str = PASSWORD) -> SignedIn:
    r = client.post("/api/v1/auth/register", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    body = r.json()
    return SignedIn(body["user"]["user_id"], username, body["access_token"], body["refresh_token"],
                    body["session_id"])


@pytest.fixture
def alice(client: TestClient) -> SignedIn:
    return sign_up(client, "alice")


@pytest.fixture
def bob(client: TestClient) -> SignedIn:
    return sign_up(client, "bob")


@pytest.fixture
def aws_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings for the cloud adapters, inside moto's in-process AWS."""
    from moto import mock_aws

    with mock_aws(), _moto_dynamodb_writes_atomic():
        yield Settings(mode="aws", data_dir=tmp_path / "data", table_prefix="fmtest", evidence_bucket="fmtest-evidence",
                       jwt_private_key=_TEST_KEY, login_max_failures=3, login_lockout_seconds=60,
                       registration="open", redaction_key=base64.b64encode(bytes(32)).decode())


@contextmanager
def _moto_dynamodb_writes_atomic() -> Iterator[None]:
    """Real DynamoDB checks a write's condition and applies it as one step; moto checks, then writes, with no lock, so
    threads racing on one item (the throttle's compare-and-set) lose updates there only. One lock restores that."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    names = ("put_item", "update_item", "delete_item", "transact_write_items")
    originals = {name: getattr(DynamoDBBackend, name) for name in names}

    def locked(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def call(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return original(*args, **kwargs)
        return call

    for name, original in originals.items():
        setattr(DynamoDBBackend, name, locked(original))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(DynamoDBBackend, name, original)


# The container properties backed by DynamoDB tables; building them binds their models so the tables can be made.
DYNAMO_REPOSITORIES = ("users", "tokens", "sessions", "cases", "idempotency_store", "evidence_files", "documents",
                       "drafts", "job_store", "integration_store", "team_repo", "audit_log")


@pytest.fixture
def aws_container(aws_settings: Settings) -> Iterator[Container]:
    import boto3

    from faultmaven.adapters.dynamo.base import create_bound_tables

    c = Container(aws_settings)
    for name in DYNAMO_REPOSITORIES:
        getattr(c, name)
    create_bound_tables()
    boto3.client("s3", region_name=aws_settings.aws_region).create_bucket(Bucket=aws_settings.evidence_bucket)
    set_container(c)
    yield c
    set_container(None)


def _make_test_key() -> str:
    from faultmaven.auth.keys import generate_private_pem

    return generate_private_pem().decode()


_TEST_KEY = _make_test_key()


@pytest.fixture(params=["sqlite", "dynamodb"])
def any_container(request: pytest.FixtureRequest) -> Container:
    """The same container built on each adapter family; contract suites use this to run every adapter."""
    return request.getfixturevalue("container" if request.param == "sqlite" else "aws_container")


@pytest.fixture
def any_client(any_container: Container) -> Iterator[TestClient]:
    """The embedded app's routes over either adapter family (flows that must hold on both)."""
    with TestClient(build_app(any_container.settings), raise_server_exceptions=False) as c:
        yield c

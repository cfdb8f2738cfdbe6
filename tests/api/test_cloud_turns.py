"""Turns in the cloud mode (moto: DynamoDB, S3, SQS): the copilot function queues the turn, the worker function
runs it from the queue's message, the client polls the job; the request answers at once when the worker is quick."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from datetime import timedelta

import boto3
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from faultmaven.cases.model import stamp
from faultmaven.clock import now
from faultmaven.container import Container
from faultmaven.ports.jobs import JobRecord
from functions.copilot.worker_handler import handler
from local.server import build_app
from tests.api.test_knowledge_ingest import LambdaContext
from tests.conftest import SignedIn, sign_up
from tests.support.case_api import open_case as _case
from tests.support.turn_worker import add_turn_queue, work_off


@pytest.fixture
def cloud(aws_container: Container) -> Container:
    key = SecretStr(base64.b64encode(b"k" * 32).decode())
    return add_turn_queue(aws_container, turn_sync_seconds=5.0, redaction_key=key)


@pytest.fixture
def client(cloud: Container) -> Iterator[TestClient]:
    with TestClient(build_app(cloud.settings), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def alice(client: TestClient) -> SignedIn:
    return sign_up(client, "alice")


def test_respond_async_then_the_worker_runs_it_and_polling_sees_it_end(client: TestClient, alice: SignedIn,
                                                                      cloud: Container) -> None:
    case_id = _case(client, alice)
    log = b"2026-11-25 09:10:00 ERROR pool: connection refused to 10.0.0.1:5432\n" * 40
    r = client.post(f"/api/v1/cases/{case_id}/turns", data={"query": "checkout returns 503 since 09:10"},
                    files={"files": ("api.log", log, "text/plain")},
                    headers={**alice.headers, "Prefer": "respond-async"})
    assert r.status_code == 202, r.text
    location = r.headers["Location"]
    assert location == f"/api/v1/cases/{case_id}/turns/jobs/{r.json()['job_id']}"
    assert client.get(location, headers=alice.headers).json()["status"] == "queued"
    bob = sign_up(client, "bob")
    assert client.get(location, headers=bob.headers).status_code == 404

    records = work_off(cloud)
    assert len(records) == 1
    done = client.get(location, headers=alice.headers)
    assert done.status_code == 200 and done.json()["status"] == "completed", done.text
    result = done.json()["result"]
    assert result["turn_number"] == 1 and result["attachments_processed"][0]["filename"] == "api.log"

    # A redelivered message finds its job ended: nothing runs twice, the result stays.
    handler({"Records": records}, LambdaContext())
    assert client.get(location, headers=alice.headers).json()["result"] == result


def test_a_quick_worker_answers_within_the_request(client: TestClient, alice: SignedIn, cloud: Container) -> None:
    case_id = _case(client, alice)
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set() and not work_off(cloud):
            stop.wait(0.05)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        r = client.post(f"/api/v1/cases/{case_id}/turns", data={"query": "pods crashlooping"}, headers=alice.headers)
    finally:
        stop.set()
        thread.join(10)
    assert r.status_code == 200, r.text
    assert r.json()["turn_number"] == 1


def test_a_failed_queued_turn_reports_its_error(client: TestClient, alice: SignedIn, cloud: Container) -> None:
    case_id = _case(client, alice)
    r = client.post(f"/api/v1/cases/{case_id}/turns", data={"query": "disk full"},
                    headers={**alice.headers, "Prefer": "respond-async"})
    assert client.delete(f"/api/v1/cases/{case_id}", headers=alice.headers).status_code in (200, 204)
    work_off(cloud)
    polled = client.get(r.headers["Location"], headers=alice.headers)
    assert polled.status_code == 200 and polled.json()["status"] == "failed", polled.text
    assert polled.json()["error"]["status"] == "404" and polled.json()["error"]["code"].endswith("NOT_FOUND")

def test_a_job_older_than_the_queue_retries_is_reported_interrupted(cloud: Container) -> None:
    old = stamp(now() - timedelta(seconds=cloud.settings.turn_job_expiry_seconds + 5))
    cloud.job_store.create(JobRecord(job_id="turn_old", owner_id="u1", case_id="c1", status="running",
                                     created_at=old, updated_at=old))
    status, body = cloud.turn_jobs.poll("u1", "c1", "turn_old")
    assert status == 200 and body["error"]["code"] == "TURN_INTERRUPTED"
    assert json.loads(json.dumps(body))["status"] == "failed"


def test_the_cloud_stream_ends_with_the_location_when_the_turn_outlasts_the_wait(client: TestClient, alice: SignedIn,
                                                                               cloud: Container) -> None:
    cloud.settings = cloud.settings.model_copy(update={"turn_sync_seconds": 0.2})
    case_id = _case(client, alice)
    r = client.post(f"/api/v1/cases/{case_id}/turns/stream", data={"query": "pods crashlooping"},
                    headers=alice.headers)
    assert r.status_code == 200, r.text
    events = [(block.split("\n")[0].removeprefix("event: "), json.loads(block.split("\n")[1].removeprefix("data: ")))
              for block in r.text.strip().split("\n\n")]
    assert [name for name, _ in events] == ["stage", "stage"]
    job_id = events[0][1]["job_id"]
    assert events[1][1] == {"stage": "queued", "job_id": job_id,
                            "location": f"/api/v1/cases/{case_id}/turns/jobs/{job_id}"}
    work_off(cloud)
    assert client.get(events[1][1]["location"], headers=alice.headers).json()["status"] == "completed"


def test_the_worker_needs_no_queue_url_but_a_sender_does(aws_container: Container) -> None:
    """The worker function is only handed messages; the copilot function without its queue answers 503."""
    assert aws_container.settings.turn_queue_url is None
    aws_container.turn_jobs.run(json.dumps({"job_id": "turn_gone", "owner_id": "u1"}), lambda *_: dict)  # no such job
    with TestClient(build_app(aws_container.settings), raise_server_exceptions=False) as client:
        who = sign_up(client, "carol")
        r = client.post(f"/api/v1/cases/{_case(client, who)}/turns", data={"query": "x"}, headers=who.headers)
    assert r.status_code == 503 and "FM_TURN_QUEUE_URL" in r.json()["detail"]
    s3 = boto3.client("s3", region_name="us-east-1")
    assert "Contents" not in s3.list_objects_v2(Bucket=aws_container.settings.evidence_bucket, Prefix="turn-jobs/")

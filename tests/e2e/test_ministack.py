"""The whole stack deployed into MiniStack and driven through its HTTP API.

MiniStack (`pip install -e '.[e2e]'`, MIT, no Docker) runs CloudFormation, Lambda (Python zips on its own
interpreter), API Gateway HTTP API v2 with the JWT authorizer, DynamoDB, S3, SQS (with the Lambda event source that
feeds the turn worker) and Secrets Manager. The deploy is
`local/compose/deploy.sh`, the same step the docker compose profiles run. Every request below goes through the
emulated HTTP API to the real handlers, as API Gateway v2 events, with the DynamoDB and S3 adapters behind them.

The knowledge base runs as in a small cloud install with `-c vector_index=s3vectors -c embedder=onnx`: the ONNX
model in its own layer embeds, and the S3 Vectors adapter talks to a stand-in of the S3 Vectors API served over HTTP
by this test (`tests/support/s3vectors_stub.py`; no emulator has one), so upload -> S3 event -> ingest function ->
vectors -> search -> a cited turn all run through the deployed functions.

Run alone: `pytest -m e2e` (needs the `ministack` command, or FM_E2E_MINISTACK=<path>, and the CDK CLI `cdk`, or
FM_E2E_CDK=<path>). The dependency layer is built once into build/lambda-host and reused (delete it to refresh).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.s3vectors_stub import S3VectorsStub

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "local" / "compose" / "deploy.sh"
PASSWORD = "correct horse battery staple"
DEPLOY_TIMEOUT_S = 900  # a custom resource that never answers would otherwise keep CloudFormation waiting an hour


def _tool(env_var: str, name: str, *extra: Path) -> str | None:
    candidates = [os.environ.get(env_var), str(Path(sys.executable).parent / name), shutil.which(name),
                  *(str(p) for p in extra)]
    return next((c for c in candidates if c and Path(c).is_file() and os.access(c, os.X_OK)), None)


def _shebang_python(script: str) -> str | None:
    """The interpreter a console script runs on: MiniStack runs the Lambda code on it."""
    with open(script, "rb") as f:
        first = f.readline().decode(errors="replace")
    return first[2:].strip().split()[0] if first.startswith("#!") else None


MINISTACK = _tool("FM_E2E_MINISTACK", "ministack")
CDK = _tool("FM_E2E_CDK", "cdk", ROOT / "node_modules" / ".bin" / "cdk")


def _skip_reason() -> str | None:
    if MINISTACK is None:
        return "MiniStack is not installed: pip install -e '.[e2e]' (or set FM_E2E_MINISTACK)"
    if CDK is None:
        return "the CDK CLI is not installed: npm install -g aws-cdk (or set FM_E2E_CDK)"
    python = _shebang_python(MINISTACK)
    if python:
        probe = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                               text=True, check=False)
        if probe.stdout.strip() != str(sys.version_info[:2]):
            return (f"MiniStack runs Lambda code on {python} ({probe.stdout.strip()}), but the code is built for "
                    f"this Python {sys.version_info[:2]}: install MiniStack with the same Python minor version")
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


class MiniStack:
    """One MiniStack process on a free port with its own persisted state directory."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.state_dir = workdir / "state"
        self.log = workdir / "ministack.log"
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # No AWS_* from the test session: MiniStack passes its environment on to the functions it runs.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(GATEWAY_PORT=str(self.port), PERSIST_STATE="1", STATE_DIR=str(self.state_dir))
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([MINISTACK], env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"MiniStack exited with {self.process.returncode}:\n{_tail(self.log)}")
            try:
                if httpx.get(f"{self.url}/_ministack/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"MiniStack did not answer its health check in 60 s:\n{_tail(self.log)}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture(scope="module")
def ministack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MiniStack]:
    reason = _skip_reason()
    if reason and os.environ.get("FM_E2E_REQUIRED") == "1":  # CI: a missing emulator is a failure, not a skip
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)
    emulator = MiniStack(tmp_path_factory.mktemp("ministack"))
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(scope="module")
def vectors() -> Iterator[str]:
    """The S3 Vectors stand-in the deployed functions reach (it lives, and keeps its vectors, in this process)."""
    server, url = S3VectorsStub().serve()
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def api_url(ministack: MiniStack, vectors: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("deploy")
    log = out / "deploy.log"
    env = {**os.environ, "EMULATOR_URL": ministack.url, "FUNCTIONS_ENDPOINT": ministack.url, "S3VECTORS_URL": vectors,
           "PYTHON": sys.executable, "CDK": CDK or "cdk", "KEEP_DEPS": "1", "OUTPUTS": str(out / "outputs.json"),
           "CDK_OUT": str(out / "cdk.out")}
    started = time.monotonic()
    with log.open("wb") as f:
        try:
            result = subprocess.run(["sh", str(DEPLOY)], env=env, stdout=f, stderr=subprocess.STDOUT,
                                    timeout=DEPLOY_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            pytest.fail(f"deploy did not finish in {DEPLOY_TIMEOUT_S} s:\n{_tail(log)}\n--- MiniStack\n"
                        f"{_tail(ministack.log)}")
    if result.returncode != 0:
        pytest.fail(f"deploy failed ({result.returncode}):\n{_tail(log)}\n--- MiniStack\n{_tail(ministack.log)}")
    print(f"\ndeploy.sh took {time.monotonic() - started:.0f} s")
    outputs = json.loads((out / "outputs.json").read_text())
    (stack,) = outputs.values()
    return stack["ApiUrl"]


@pytest.fixture(scope="module")
def api(api_url: str) -> Iterator[httpx.Client]:
    # Generous timeout: each function's first request starts its Python worker (a few seconds on a busy machine).
    with httpx.Client(base_url=api_url, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def alice(api: httpx.Client) -> dict[str, str]:
    """A registered user with one case."""
    r = api.post("/api/v1/auth/register", json={"username": "alice", "password": PASSWORD,
                                                "email": "alice@example.com"})
    assert r.status_code == 201, r.text
    token = r.json()["access_token"]
    r = api.post("/api/v1/cases", json={"title": "checkout 502s"}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    return {"user_id": r.json()["user_id"], "case_id": r.json()["case_id"]}


def _login(api: httpx.Client) -> dict[str, str]:
    r = api.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_public_endpoints_answer_through_the_http_api(api: httpx.Client, api_url: str) -> None:
    r = api.get("/health")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "healthy"
    assert r.json()["mode"] == "aws"  # DynamoDB adapters, not the embedded SQLite ones
    for path in ("/v1/meta/capabilities", "/api/v1/meta/capabilities"):
        r = api.get(path)
        assert r.status_code == 200, r.text
        assert r.json()["deploymentMode"] == "self-hosted"
    discovery = api.get("/.well-known/openid-configuration").json()
    assert discovery["issuer"] == api_url  # what the edge's JWT authorizer trusts
    assert api.get("/.well-known/jwks.json").json()["keys"]


def test_register_login_me_create_and_list_cases(api: httpx.Client, alice: dict[str, str]) -> None:
    headers = _login(api)
    me = api.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200, me.text
    assert me.json()["user_id"] == alice["user_id"]
    r = api.post("/api/v1/cases", json={"title": "disk full on db-2"}, headers=headers)
    assert r.status_code == 201, r.text
    listed = api.get("/api/v1/cases", headers=headers)
    assert listed.status_code == 200, listed.text
    titles = {c["title"] for c in listed.json()["cases"]}
    assert titles == {"checkout 502s", "disk full on db-2"}
    fetched = api.get(f"/api/v1/cases/{alice['case_id']}", headers=headers)
    assert fetched.status_code == 200, fetched.text


TURN_TIMEOUT_S = 240  # the turn worker's first run starts its Python and loads the ONNX model on a shared machine


def _poll(api: httpx.Client, headers: dict[str, str], accepted: httpx.Response) -> dict:
    """Follow a 202's Location until the job ends; its final view."""
    assert accepted.status_code == 202, accepted.text
    location = accepted.headers["Location"]
    deadline = time.monotonic() + TURN_TIMEOUT_S
    while True:
        r = api.get(location, headers=headers)
        if r.status_code != 202 or time.monotonic() > deadline:
            break
        time.sleep(float(r.headers.get("Retry-After", "2")))
    assert r.status_code == 200, r.text
    return r.json()


def _turn(api: httpx.Client, headers: dict[str, str], case_id: str, **request: object) -> dict:
    """A turn as a client sends it: the answer, at once or (when the worker's cold start outlasts the wait) polled."""
    r = api.post(f"/api/v1/cases/{case_id}/turns", headers=headers, **request)
    if r.status_code == 202:
        job = _poll(api, headers, r)
        assert job["status"] == "completed", job
        return job["result"]
    assert r.status_code == 200, r.text
    return r.json()


def test_a_copilot_turn_through_the_http_api(api: httpx.Client, alice: dict[str, str]) -> None:
    """The copilot function queues the turn, the worker function runs it with its real adapters (no runbook
    uploaded yet: nothing to cite)."""
    headers = _login(api)
    body = _turn(api, headers, alice["case_id"],
                 data={"query": "checkout returns 502 errors since 09:10, key AKIAIOSFODNN7EXAMPLE"},
                 files={"files": ("api.log", b"2026-11-25 09:10:01 ERROR upstream refused\n" * 20, "text/plain")})
    assert body["turn_number"] == 1 and "[\u2705 Yes]  [\u274c No]" in body["agent_response"]
    assert body["attachments_processed"][0]["source_type"] == "logs"
    assert body["redactions"] == {"aws_access_key": 1} and "AKIAIOSFODNN7EXAMPLE" not in json.dumps(body)


def test_a_turn_that_goes_async_is_polled_to_its_end(api: httpx.Client) -> None:
    """202 with a Location (the client asked not to wait), the worker runs it off the queue, polling sees it end."""
    headers = _login(api)
    case_id = api.post("/api/v1/cases", json={"title": "db-2 disk full"}, headers=headers).json()["case_id"]
    r = api.post(f"/api/v1/cases/{case_id}/turns", headers={**headers, "Prefer": "respond-async"},
                 data={"query": "the disk on db-2 filled up at 03:00"})
    assert r.status_code == 202, r.text
    assert r.json()["status"] in ("queued", "running") and r.json()["job_id"] in r.headers["Location"]
    job = _poll(api, headers, r)
    assert job["status"] == "completed", job
    assert job["result"]["turn_number"] == 1 and job["result"]["agent_response"]


RUNBOOK = (b"# Postgres connection pool exhausted\n\n## Meaning\nApplications log connection refused to the database "
           b"port 5432 when the pool is exhausted.\n\n## Mitigation\nRaise max_connections or add pgbouncer.\n")
INGEST_TIMEOUT_S = 240  # the ingest function's first run loads the ONNX model on a shared machine


@pytest.fixture(scope="module")
def runbook(api: httpx.Client, alice: dict[str, str]) -> str:
    """A runbook uploaded through the knowledge API and indexed by the ingest function (S3 event)."""
    headers = _login(api)
    r = api.post("/api/v1/knowledge/documents", headers=headers, data={"title": "Postgres connection pool exhausted"},
                 files={"file": ("pg.md", RUNBOOK, "text/markdown")})
    assert r.status_code == 201, r.text
    document_id = r.json()["document_id"]
    deadline = time.monotonic() + INGEST_TIMEOUT_S
    while True:
        doc = api.get(f"/api/v1/knowledge/documents/{document_id}", headers=headers).json()
        if doc["status"] != "pending" or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert doc["status"] == "indexed", doc
    return document_id


def test_a_runbook_is_uploaded_indexed_and_searched(api: httpx.Client, runbook: str) -> None:
    r = api.post("/api/v1/knowledge/search", headers=_login(api), json={"query": "connection refused port 5432"})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert results and results[0]["document_id"] == runbook


def test_a_turn_cites_the_runbook(api: httpx.Client, alice: dict[str, str], runbook: str) -> None:
    headers = _login(api)
    r = api.post("/api/v1/cases", json={"title": "orders api cannot reach postgres"}, headers=headers)
    case_id = r.json()["case_id"]
    reply = _turn(api, headers, case_id, data={"query": "api logs connection refused to postgres port 5432"})
    sources = reply["sources"]
    assert sources and sources[0]["metadata"]["title"] == "Postgres connection pool exhausted"


def test_private_routes_need_a_valid_token_at_the_edge(api: httpx.Client) -> None:
    assert api.get("/api/v1/cases").status_code == 401
    assert api.get("/api/v1/cases", headers={"Authorization": "Bearer not.a.token"}).status_code == 401


def test_state_survives_a_restart(ministack: MiniStack, api: httpx.Client, alice: dict[str, str],
                                  runbook: str) -> None:
    ministack.stop()
    ministack.start()
    headers = _login(api)
    listed = api.get("/api/v1/cases", headers=headers)
    assert listed.status_code == 200, listed.text
    assert alice["case_id"] in {c["case_id"] for c in listed.json()["cases"]}
    doc = api.get(f"/api/v1/knowledge/documents/{runbook}", headers=headers)
    assert doc.status_code == 200 and doc.json()["status"] == "indexed", doc.text

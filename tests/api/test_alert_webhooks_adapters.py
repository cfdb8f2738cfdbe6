"""The webhook flow on both adapter families (SQLite, and DynamoDB + S3 on moto): three identical Alertmanager
payloads sent at once open one case with the alert as evidence, and the resolution is noted."""

from __future__ import annotations

import base64
import os
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from pydantic import SecretStr

from faultmaven.container import Container
from local.server import build_app
from tests.api.test_alert_webhooks import FIRING, alert_cases, messages, resolved_of
from tests.api.test_knowledge_api import sign_in_with_roles
from tests.conftest import sign_up


def test_one_case_per_alert_and_a_resolution_note_on_both_adapters(any_container: Container) -> None:
    # A key for the case's placeholder map (the cloud reads it from Secrets Manager), before the vault is built.
    any_container.settings.redaction_key = SecretStr(base64.b64encode(os.urandom(32)).decode())
    with TestClient(build_app(any_container.settings),
                    raise_server_exceptions=False) as client:
        alice = sign_up(client, "alice")
        admin = sign_in_with_roles(client, any_container, "root", ["user", "admin"])
        created = client.post("/api/v1/admin/integrations", headers=admin.headers,
                              json={"kind": "alertmanager", "owner": "alice"}).json()
        hook = {"Authorization": f"Bearer {created['secret']}"}
        with ThreadPoolExecutor(max_workers=3) as pool:
            answers = list(pool.map(lambda _: client.post(created["webhook_path"], json=FIRING, headers=hook),
                                    range(3)))
        assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
        outcomes = [a.json()["alerts"][0] for a in answers]
        assert sorted(o["action"] for o in outcomes) == ["duplicate", "duplicate", "opened"]
        [case] = alert_cases(client, alice)
        assert {o["case_id"] for o in outcomes} == {case["case_id"]}
        files = client.get(f"/api/v1/cases/{case['case_id']}/uploaded-files", headers=alice.headers).json()["files"]
        assert len(files) == 1 and files[0]["filename"].startswith("alert-alertmanager-")

        resolved = client.post(created["webhook_path"], json=resolved_of(FIRING), headers=hook).json()["alerts"][0]
        assert resolved["action"] == "resolved"
        notes = [m for m in messages(client, alice, case["case_id"]) if m["role"] == "system"]
        assert len(notes) == 1 and notes[0]["content"].startswith("Alert resolved: NodeFilesystemSpaceFillingUp")
        bad = client.post(created["webhook_path"], json=FIRING, headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401

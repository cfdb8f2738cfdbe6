"""Every parameter is bounded at the edge: extreme numbers and strings in any query or path parameter of any route
answer a 4xx with a message, never a 500 (the overflow a fuzzer once found on `offset`)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SignedIn

EXTREME_INTS = ("9223372036854775808", "99999999999999999999", "-1", "1e309", "NaN")
EXTREME_STRING = "x" * 20_000


def _operations(client: TestClient) -> list[tuple[str, str, list[dict]]]:
    spec = client.get("/openapi.json").json()
    return [(path, method, op.get("parameters", [])) for path, item in spec["paths"].items()
            for method, op in item.items() if method in {"get", "post", "put", "patch", "delete"}]


def _fill(path: str, case_id: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: case_id if m.group(0) == "{case_id}" else "nope", path)


def test_extreme_query_values_are_4xx_on_every_route(client: TestClient, alice: SignedIn) -> None:
    case_id = client.post("/api/v1/cases", json={"title": "bounds"}, headers=alice.headers).json()["case_id"]
    probed = 0
    for path, method, params in _operations(client):
        url = _fill(path, case_id)
        for param in params:
            if param["in"] != "query":
                continue
            schema = param.get("schema", {})
            types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
            values = EXTREME_INTS if "integer" in types else (EXTREME_STRING,)
            for value in values:
                r = client.request(method.upper(), url, params={param["name"]: value},
                                   headers=alice.headers)
                probed += 1
                assert r.status_code < 500, (method, path, param["name"], value[:20], r.status_code, r.text[:200])
                if r.status_code >= 400:
                    assert "detail" in r.json(), r.text[:200]
    assert probed > 30  # the walk really covered the routes


@pytest.mark.parametrize("path", ["/api/v1/cases?offset=9223372036854775808", "/api/v1/sessions?offset=10000000000",
                                  "/api/v1/cases?page=9223372036854775807&page_size=100",
                                  "/api/v1/knowledge/documents?offset=99999999999999999999"])
def test_huge_offsets_are_422(client: TestClient, alice: SignedIn, path: str) -> None:
    r = client.get(path, headers=alice.headers)
    assert r.status_code == 422 and r.json()["code"] == "VALIDATION_ERROR"


def test_long_ids_in_paths_and_urls(client: TestClient, alice: SignedIn) -> None:
    for path in ("/api/v1/cases/" + "c" * 500, "/api/v1/sessions/" + "s" * 500,
                 "/api/v1/knowledge/documents/" + "d" * 500):
        assert 400 <= client.get(path, headers=alice.headers).status_code < 500
    r = client.get("/api/v1/cases/" + "c" * 9000, headers=alice.headers)
    assert r.status_code == 414 and r.json()["code"] == "URI_TOO_LONG"


def test_huge_numbers_in_headers_and_forms(client: TestClient, alice: SignedIn) -> None:
    case_id = client.post("/api/v1/cases", json={"title": "bounds"}, headers=alice.headers).json()["case_id"]
    r = client.put(f"/api/v1/cases/{case_id}", json={"title": "t"},
                   headers={**alice.headers, "If-Match": '"99999999999999999999"'})
    assert 400 <= r.status_code < 500
    r = client.post(f"/api/v1/cases/{case_id}/uploaded-files", files={"file": ("a.log", b"x\n", "text/plain")},
                    data={"turn_number": "99999999999999999999"}, headers=alice.headers)
    assert r.status_code == 400 and r.json()["code"] == "INVALID_TURN_NUMBER"

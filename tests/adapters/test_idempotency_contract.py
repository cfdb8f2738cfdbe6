"""One contract for every adapter of the idempotency store."""

from __future__ import annotations

from faultmaven.container import Container
from faultmaven.ports.idempotency import IdempotencyRecord

NOW = 1_800_000_000


def _record(record_id: str = "cases.create#u1#key-0001", fingerprint: str = "f1", expires: int = NOW + 100,
            locked: int = NOW + 10) -> IdempotencyRecord:
    return IdempotencyRecord(record_id=record_id, fingerprint=fingerprint, expires_at=expires, locked_until=locked)


def test_first_claim_wins_and_completion_is_kept(any_container: Container) -> None:
    store = any_container.idempotency_store
    assert store.claim(_record(), NOW) is None
    held = store.claim(_record(fingerprint="f2"), NOW)
    assert held is not None and held.status == "in_progress" and held.fingerprint == "f1"
    store.complete("cases.create#u1#key-0001", 201, '{"case_id": "c1"}')
    done = store.claim(_record(), NOW + 50)
    assert done is not None and (done.status, done.status_code, done.body) == ("completed", 201, '{"case_id": "c1"}')
    assert store.claim(_record(record_id="cases.create#u2#key-0001"), NOW) is None


def test_release_abandon_and_expiry_free_the_key(any_container: Container) -> None:
    store = any_container.idempotency_store
    assert store.claim(_record(), NOW) is None
    store.release("cases.create#u1#key-0001")
    assert store.claim(_record(), NOW) is None
    assert store.claim(_record(fingerprint="f2"), NOW + 11) is None  # the first claim's lock ran out
    store.complete("cases.create#u1#key-0001", 201, "{}")
    store.release("cases.create#u1#key-0001")  # a completed record is not released
    assert store.claim(_record(), NOW + 20) is not None
    assert store.claim(_record(fingerprint="f3", expires=NOW + 500), NOW + 100) is None  # expired

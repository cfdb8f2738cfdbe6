"""One contract for every adapter of the cases port (SQLite, and DynamoDB on moto)."""

from __future__ import annotations

import pytest

from faultmaven.cases.lifecycle import CaseState
from faultmaven.cases.model import Case, CaseMessage
from faultmaven.container import Container
from faultmaven.errors import Conflict
from faultmaven.ports.cases import CaseQuery, StaleVersion


def _case(case_id: str, user_id: str = "u1", updated: str = "2026-01-01T00:00:00.000000Z", **kw: object) -> Case:
    created = kw.pop("created_at", updated)
    return Case(case_id=case_id, user_id=user_id, title=kw.pop("title", f"title {case_id}"), created_at=created,
                updated_at=updated, last_activity_at=updated, **kw)


def _stamp(day: int, second: int = 0) -> str:
    return f"2026-01-{day:02d}T00:00:{second:02d}.000000Z"


def test_create_get_and_owner_scope(any_container: Container) -> None:
    repo = any_container.cases
    repo.create(_case("c1", description="disk full on db-1"))
    got = repo.get("u1", "c1")
    assert got is not None and got.description == "disk full on db-1" and got.version == 1
    assert repo.get("u2", "c1") is None
    assert repo.get("u1", "nope") is None


def test_save_is_conditional_on_version(any_container: Container) -> None:
    repo = any_container.cases
    repo.create(_case("c1"))
    first = repo.get("u1", "c1").model_copy(update={"title": "first", "version": 2})
    second = repo.get("u1", "c1").model_copy(update={"title": "second", "version": 2})
    repo.save(first, expected_version=1)
    with pytest.raises(StaleVersion) as err:
        repo.save(second, expected_version=1)
    assert err.value.actual == 2
    assert repo.get("u1", "c1").title == "first"
    with pytest.raises(StaleVersion) as err:  # another owner's key is simply absent
        repo.save(first.model_copy(update={"user_id": "u2", "version": 3}), expected_version=2)
    assert err.value.actual is None


def test_list_sorts_filters_and_pages(any_container: Container) -> None:
    repo = any_container.cases
    repo.create(_case("a", updated=_stamp(3), created_at=_stamp(1)))
    repo.create(_case("b", updated=_stamp(5), created_at=_stamp(2), current_turn=2))
    repo.create(_case("c", updated=_stamp(4), created_at=_stamp(3), state=CaseState.INVESTIGATING, current_turn=1))
    repo.create(_case("d", updated=_stamp(9), created_at=_stamp(4), source="api"))
    repo.create(_case("x", user_id="u2", updated=_stamp(8)))

    cases, total = repo.list("u1", CaseQuery())
    assert [c.case_id for c in cases] == ["d", "b", "c", "a"] and total == 4
    cases, total = repo.list("u1", CaseQuery(limit=2, offset=1))
    assert [c.case_id for c in cases] == ["b", "c"] and total == 4
    assert [c.case_id for c in repo.list("u1", CaseQuery(state=CaseState.INVESTIGATING))[0]] == ["c"]
    assert [c.case_id for c in repo.list("u1", CaseQuery(source="api"))[0]] == ["d"]
    assert [c.case_id for c in repo.list("u1", CaseQuery(include_empty=False))[0]] == ["b", "c"]
    window = CaseQuery(created_after=_stamp(2), created_before=_stamp(4))
    assert [c.case_id for c in repo.list("u1", window)[0]] == ["b", "c"]
    assert repo.list("u3", CaseQuery()) == ([], 0)


def test_search_matches_title_description_within_owner(any_container: Container) -> None:
    repo = any_container.cases
    repo.create(_case("a", title="Checkout latency", updated=_stamp(1)))
    repo.create(_case("b", description="latency spikes on checkout_100%", updated=_stamp(2)))
    repo.create(_case("c", title="Disk full", updated=_stamp(3)))
    repo.create(_case("x", user_id="u2", title="latency elsewhere"))
    assert [c.case_id for c in repo.search("u1", "LATENCY", None, 10)] == ["b", "a"]
    assert [c.case_id for c in repo.search("u1", "_100%", None, 10)] == ["b"]
    assert repo.search("u1", "latency", CaseState.CLOSED, 10) == []
    assert len(repo.search("u1", "latency", None, 1)) == 1


def test_delete_leaves_a_tombstone(any_container: Container) -> None:
    repo = any_container.cases
    repo.create(_case("c1"))
    repo.append_message(CaseMessage(message_id="m1", case_id="c1", user_id="u1", role="user", content="hi",
                                    turn_number=1, created_at=_stamp(1)))
    assert repo.delete("u2", "c1") == "missing"
    assert repo.delete("u1", "c1") == "deleted"
    assert repo.delete("u1", "c1") == "already_deleted"
    assert repo.delete("u1", "never") == "missing"
    assert repo.get("u1", "c1") is None
    assert repo.list("u1", CaseQuery()) == ([], 0)
    assert repo.search("u1", "title", None, 10) == []
    assert repo.messages("u1", "c1", 10, 0) == ([], 0)
    with pytest.raises(StaleVersion):
        repo.save(_case("c1", version=2), expected_version=1)
    with pytest.raises(Conflict):  # a deleted id is not handed out again (an import of an old copy keeps it deleted)
        repo.create(_case("c1"))
    assert repo.get("u1", "c1") is None


def test_create_refuses_a_taken_id(any_container: Container) -> None:
    repo = any_container.cases
    repo.create(_case("c1", description="first"))
    with pytest.raises(Conflict):
        repo.create(_case("c1", description="second"))
    assert repo.get("u1", "c1").description == "first"
    repo.create(_case("c1", user_id="u2"))  # ids are per owner


def test_title_numbers_count_per_user_and_day(any_container: Container) -> None:
    repo = any_container.cases
    assert [repo.next_title_number("u1", "260101") for _ in range(3)] == [1, 2, 3]
    assert repo.next_title_number("u1", "260102") == 1
    assert repo.next_title_number("u2", "260101") == 1


def test_messages_are_ordered_and_paged(any_container: Container) -> None:
    repo = any_container.cases
    repo.create(_case("c1"))
    for i, (turn, role) in enumerate([(1, "user"), (1, "assistant"), (2, "user"), (2, "assistant"), (3, "user")]):
        repo.append_message(CaseMessage(message_id=f"m{i}", case_id="c1", user_id="u1", role=role,
                                        content=f"message {i}", turn_number=turn, created_at=_stamp(1, i),
                                        metadata={"i": i}))
    page, total = repo.messages("u1", "c1", 2, 0)
    assert [m.message_id for m in page] == ["m0", "m1"] and total == 5
    page, _ = repo.messages("u1", "c1", 10, 3)
    assert [m.message_id for m in page] == ["m3", "m4"] and page[0].metadata == {"i": 3}
    assert repo.messages("u2", "c1", 10, 0) == ([], 0)


def test_turn_lease_is_exclusive_until_it_expires_or_is_released(any_container: Container) -> None:
    repo = any_container.cases
    repo.create(_case("c1"))
    assert repo.acquire_lease("u1", "c1", "turn-a", until=110.0, at=100.0)
    assert not repo.acquire_lease("u1", "c1", "turn-b", until=115.0, at=105.0)  # held
    assert repo.acquire_lease("u1", "c1", "turn-a", until=120.0, at=106.0)  # the holder may extend it
    assert repo.acquire_lease("u2", "c1", "turn-b", until=115.0, at=105.0)  # another owner's key is another lease
    repo.release_lease("u1", "c1", "turn-b")  # not the holder: nothing happens
    assert not repo.acquire_lease("u1", "c1", "turn-b", until=125.0, at=107.0)
    repo.release_lease("u1", "c1", "turn-a")
    assert repo.acquire_lease("u1", "c1", "turn-b", until=125.0, at=108.0)
    assert repo.acquire_lease("u1", "c1", "turn-c", until=140.0, at=125.5)  # expired: taken over
    repo.release_lease("u1", "c1", "turn-b")  # the expired holder cannot free the new holder's lease
    assert not repo.acquire_lease("u1", "c1", "turn-d", until=150.0, at=130.0)

"""One contract for every adapter of the integrations store (SQLite, and DynamoDB on moto)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from faultmaven.container import Container
from faultmaven.ports.integrations import DeadLetter, IntegrationRecord, NotificationSettings


def _integration(integration_id: str, created: str, secret: str = "s1") -> IntegrationRecord:
    return IntegrationRecord(integration_id=integration_id, kind="alertmanager", owner_id="u1", name=integration_id,
                             secret=secret, created_at=created)


def test_integrations_are_saved_listed_replaced_and_deleted(any_container: Container) -> None:
    store = any_container.integration_store
    store.save(_integration("int_b", "2026-01-02"))
    store.save(_integration("int_a", "2026-01-01"))
    assert [r.integration_id for r in store.list()] == ["int_a", "int_b"]
    store.save(_integration("int_a", "2026-01-01", secret="s2"))
    assert store.get("int_a").secret == "s2"
    assert store.delete("int_a") is True
    assert store.delete("int_a") is False
    assert store.get("int_a") is None and [r.integration_id for r in store.list()] == ["int_b"]


def test_an_alert_links_to_one_case_even_when_claimed_at_once(any_container: Container) -> None:
    store = any_container.integration_store
    with ThreadPoolExecutor(max_workers=3) as pool:
        winners = list(pool.map(lambda c: store.link_alert("u1", "int_a:fp1", c), ["c1", "c2", "c3"]))
    assert len(set(winners)) == 1 and store.linked_case("u1", "int_a:fp1") == winners[0]
    assert store.linked_case("u2", "int_a:fp1") is None  # another owner's alert is another link
    assert store.link_alert("u2", "int_a:fp1", "c9") == "c9"


def test_a_link_is_replaced_or_released_only_from_the_case_it_points_at(any_container: Container) -> None:
    store = any_container.integration_store
    assert store.link_alert("u1", "fp", "c1") == "c1"
    assert store.link_alert("u1", "fp", "c2", replacing="c0") == "c1"  # not the case it points at
    assert store.link_alert("u1", "fp", "c2", replacing="c1") == "c2"
    assert store.unlink_alert("u1", "fp", "c1") is False
    assert store.unlink_alert("u1", "fp", "c2") is True
    assert store.linked_case("u1", "fp") is None
    assert store.link_alert("u1", "fp", "c3", replacing="c2") == "c3"  # gone meanwhile: claimed afresh


def test_notification_settings_are_kept_per_scope(any_container: Container) -> None:
    store = any_container.integration_store
    assert store.settings("u1") is None
    store.save_settings(NotificationSettings(scope_id="u1", slack_webhook_url="https://hooks.slack.com/x"))
    store.save_settings(NotificationSettings(scope_id="team-1", slack_channel="#ops"))
    assert store.settings("u1").slack_webhook_url == "https://hooks.slack.com/x"
    assert store.settings("team-1").slack_channel == "#ops"


def test_dead_letters_are_listed_newest_first(any_container: Container) -> None:
    store = any_container.integration_store
    for n in (1, 3, 2):
        store.add_dead_letter(DeadLetter(letter_id=f"dl_{n}", scope_id="u1", channel="slack", event="opened",
                                         message={"text": f"m{n}"}, error="HTTP 500", attempts=4,
                                         created_at=f"2026-01-0{n}T00:00:00.000000Z"))
    assert [d.letter_id for d in store.dead_letters()] == ["dl_3", "dl_2", "dl_1"]
    assert [d.letter_id for d in store.dead_letters(limit=1)] == ["dl_3"]
    assert store.dead_letters()[0].message == {"text": "m3"}

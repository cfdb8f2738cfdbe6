"""Alert notifications read as search queries: one example per shape the module recognises, and text it leaves."""

from __future__ import annotations

import pytest

from faultmaven.knowledge.alert_query import (
    alert_names,
    alert_words,
    named_first,
    parse_alert,
    search_text,
    title_weight,
    title_weighting,
    words_of,
)

# (the shape, the notification, its alert names, words that must stay, words that must go)
SHAPES = [
    ("Alertmanager subject with a summary and description",
     "[FIRING:1] etcdNoLeader: etcd cluster has no leader. — etcd cluster \"etcd\": member 10.0.1.12:9979 has no "
     "leader.", ["etcdNoLeader"], ["cluster", "leader"], ["10.0.1.12:9979", "FIRING"]),
    ("Alertmanager default title: label values in parentheses",
     "[FIRING:3] KubePodCrashLooping (openshift-monitoring prometheus-k8s-0 critical)",
     ["KubePodCrashLooping"], [], ["critical", "openshift-monitoring"]),
    ("resolved, a single-word name",
     "[RESOLVED] Watchdog", ["Watchdog"], [], ["RESOLVED"]),
    ("snake_case name, URL, pod hash and host name in the description",
     "[FIRING:1] CloudNAT_HighErrorCount: NAT errors — gateway gitlab-gke-nat-7d9f8 at https://console.example.com/nat "
     "on patroni-main-2004-03-db-gprd.c.internal", ["CloudNAT_HighErrorCount"], ["NAT", "errors", "gateway"],
     ["https", "gitlab-gke-nat-7d9f8", "patroni-main-2004-03-db-gprd.c.internal"]),
    ("Alertmanager text template: Labels and Annotations lists",
     "[FIRING:1] KubePodCrashLooping\nLabels:\n - alertname = KubePodCrashLooping\n - namespace = payments\n"
     " - severity = critical\nAnnotations:\n - summary = Pod is crash looping.\n"
     " - description = Pod payments/api-7c9d8f is restarting.\nSource: http://prometheus:9090/graph?g0.expr=up",
     ["KubePodCrashLooping"], ["crash", "looping", "restarting"], ["payments", "critical", "Source", "severity"]),
    ("inline label pairs, no status head",
     "alertname=NodeFilesystemSpaceFillingUp severity=warning instance=10.0.2.31:9100 "
     "summary=\"Filesystem is predicted to run out of space\"", ["NodeFilesystemSpaceFillingUp"],
     ["Filesystem", "space"], ["warning", "instance", "severity"]),
    ("label set in braces",
     "{alertname=\"TargetDown\", job=\"kube-state-metrics\", severity=\"warning\"}", ["TargetDown"], [],
     ["kube-state-metrics", "warning"]),
    ("PagerDuty-style subject with an incident number",
     "[Triggered] #4521: PostgreSQL_InvalidPage_Errors: Postgres checksum verification failed",
     ["PostgreSQL_InvalidPage_Errors"], ["checksum", "verification"], ["Triggered", "#4521"]),
    ("status word head with a name in prose",
     "Triggered: HighThrottleRate on gitlab-sidekiq-catchall-v2-7d9f8-abcde", ["HighThrottleRate"], [],
     ["gitlab-sidekiq-catchall-v2-7d9f8-abcde"]),
    ("a subject whose name is a phrase: no name, its words kept",
     "[FIRING:1] mtail prog load errors: mtail is encountering errors loading a program", [],
     ["mtail", "prog", "errors", "program"], ["FIRING"]),
]


@pytest.mark.parametrize(("text", "names", "kept", "dropped"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_each_shape_gives_its_alert_names_and_words(text: str, names: list[str], kept: list[str],
                                                    dropped: list[str]) -> None:
    alert = parse_alert(text)
    assert alert is not None
    assert list(alert.names) == names
    searched = search_text(text).split()
    assert all(w in alert.words for w in kept)
    assert not [w for w in dropped if w in searched]


def test_snake_case_names_are_searched_as_their_words_and_camel_case_as_written() -> None:
    assert search_text("[FIRING:1] PostgreSQL_WALGReplicationStopped") == "PostgreSQL WALGReplicationStopped"
    assert search_text("[FIRING:1] KubeAPIDown: API down").startswith("KubeAPIDown API down")


@pytest.mark.parametrize("text", [
    "the disk on the database primary is filling up",
    "Note: pods restart after the upgrade, job=nightly fails",
    "KubePodCrashLooping in payments",
    "[WIP] firing alerts page",
])
def test_text_that_is_not_a_notification_is_searched_as_it_is(text: str) -> None:
    assert parse_alert(text) is None
    assert search_text(text) == text


def test_a_notification_with_nothing_but_noise_is_searched_as_it_is() -> None:
    assert search_text("[FIRING:2] (10.0.0.1 42)") == "[FIRING:2] (10.0.0.1 42)"


def test_passages_titled_with_the_alert_name_lead_the_list_at_its_best_score() -> None:
    headings = {"a": ["etcdMembersDown", "Meaning"], "b": ["KubeAPIDown", "Impact"], "c": ["Kube API", "Kube-API-Down"]}
    ranked = [("a", 9.0), ("b", 4.0), ("c", 2.0)]
    assert named_first(ranked, alert_names("[FIRING:1] KubeAPIDown"), headings.__getitem__) == [
        ("b", 9.0), ("c", 9.0), ("a", 9.0)]
    assert named_first(ranked, alert_names("kube api down"), headings.__getitem__) == ranked
    assert named_first([], ["KubeAPIDown"], headings.__getitem__) == []


def test_a_document_weighs_by_the_share_of_its_title_the_alert_words() -> None:
    name = words_of("PatroniErrors")
    assert title_weight(name, words_of("patroni"), 0.2) == pytest.approx(1.0)
    assert title_weight(name, words_of("patroni-management"), 0.2) == pytest.approx(0.9)  # the service's hub
    assert title_weight(name, words_of("log_analysis"), 0.2) == pytest.approx(0.8)  # a narrower page
    assert title_weight(frozenset(), words_of("log_analysis"), 0.2) == 1.0  # not an alert
    assert title_weighting("patroni errors in the logs", str) is None
    weigh = title_weighting("[FIRING:1] PatroniErrors: errors in the logs", str)
    assert weigh is not None and weigh("patroni-management") > weigh("log_analysis")


def test_the_title_weight_counts_the_description_words_not_the_label_noise() -> None:
    alert = "[FIRING:1] ProcessCommitWorkersTooHigh: sidekiq jobs are piling up on gitlab-sidekiq-7d9f8 (87.35)"
    assert {"sidekiq", "jobs", "process", "commit"} <= alert_words(alert)
    assert not {w for w in alert_words(alert) if any(c.isdigit() for c in w)}
    assert alert_words("sidekiq jobs are piling up") == frozenset()  # not an alert
    weigh = title_weighting(alert, str)
    assert weigh is not None and weigh("large-sidekiq-queue") > weigh("large-pull-mirror-queue")

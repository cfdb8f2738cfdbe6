"""Entities counted only where a line says what they are, or where their shape cannot be anything else."""

from __future__ import annotations

from faultmaven.logs.entities import count_entities, entities_of_line


def test_sshd_apache_json_and_key_value_lines() -> None:
    sshd = entities_of_line("Nov 25 09:10:01 web-01 sshd[42]: Failed password for invalid user admin from "
                            "203.0.113.9 port 22 ssh2")
    assert sshd == {"ips": ["203.0.113.9"], "users": ["admin"], "hosts": ["web-01"], "http_statuses": []}
    apache = entities_of_line('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326')
    assert apache["ips"] == ["127.0.0.1"] and apache["http_statuses"] == ["200"]
    kv = entities_of_line('ERROR upstream=payments-0.svc status=504 user="carol" from fe80::1 to 2001:db8::2')
    assert kv == {"ips": ["fe80::1", "2001:db8::2"], "users": ["carol"], "hosts": ["payments-0.svc"],
                  "http_statuses": ["504"]}
    assert entities_of_line('{"status": 502, "host": "api-3", "user": "dave"}')["http_statuses"] == ["502"]


def test_look_alikes_are_not_entities() -> None:
    found = entities_of_line("2026-11-25 10:20:30 INFO version 1.2.3.4.5 took 999 ms, 300.1.2.3 user=null status=42")
    assert found == {"ips": [], "users": [], "hosts": [], "http_statuses": []}


def test_counts_are_most_frequent_first_and_cut_to_top() -> None:
    lines = [f"user=u{i % 3} from 10.0.0.{i % 2}" for i in range(9)] + ["user=u0"]
    e = count_entities(lines, top=2)
    assert [(x.value, x.count) for x in e.users] == [("u0", 4), ("u1", 3)]
    assert e.distinct == {"ips": 2, "users": 3, "hosts": 0, "http_statuses": 0}
    assert len(count_entities(lines, top=None).users) == 3

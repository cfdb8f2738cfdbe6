"""The entities an SRE looks for first in a log, counted: IP addresses, users, hosts and HTTP status codes.

Deliberately conservative: a value is counted only where the line says what it is (`user=bob`, `for invalid user
admin from`, `host=db-1`, a syslog header's host field, `"GET /x HTTP/1.1" 503`, `status=503`), or where its
shape cannot be anything else (a valid IPv4 or IPv6 address). A wrong entity costs the reader more than a missed one.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, Field

KINDS = ("ips", "users", "hosts", "http_statuses")
_METHODS = r"(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|CONNECT|TRACE)"

_IPV4 = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?![\w.]*\w)")
_IPV6 = re.compile(r"(?<![\w:])([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w:])")
# key=value pairs in one scan: the key says which kind the value is.
_KEYED = re.compile(r"\b(user(?:name)?|login|account|uid|principal|host(?:name)?|server|upstream|node|status|"
                    r"status_code|http_status|statuscode|response_code)[\"']?[=:]\s*[\"']?([A-Za-z0-9_][\w.@+-]{0,252})",
                    re.I)
_KEY_KINDS = {"user": "users", "username": "users", "login": "users", "account": "users", "uid": "users",
              "principal": "users", "host": "hosts", "hostname": "hosts", "server": "hosts", "upstream": "hosts",
              "node": "hosts"}  # the rest are statuses
_USERS = (
    re.compile(r"\bfor (?:invalid user |illegal user )?([A-Za-z0-9_][\w.@-]{0,63}) from\b"),  # sshd
    re.compile(r"\buser [\"']([^\"'\s]{1,64})[\"']", re.I),
)
# a syslog header: "Nov 25 09:10:01 web-01 sshd[42]:" or RFC 5424 "<34>1 2026-11-25T09:10:01Z web-01 app ..."
_SYSLOG_HOST = re.compile(r"^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|<\d+>\d \S+) ([A-Za-z0-9][\w.-]{0,252}) "
                          r"[\w./-]+(?:\[\d+\])?:")
_REQUEST_STATUS = re.compile(rf"\b{_METHODS} /\S*(?: HTTP/[\d.]+\"?)? (\d{{3}})\b")  # GET /x 503, "GET /x HTTP/1.1" 503
_NOT_USERS = frozenset({"null", "none", "unknown", "-", "true", "false"})


class EntityCount(BaseModel):
    value: str
    count: int


class Entities(BaseModel):
    """Each kind's most frequent values (most frequent first) and how many distinct values there were."""

    ips: list[EntityCount] = Field(default_factory=list)
    users: list[EntityCount] = Field(default_factory=list)
    hosts: list[EntityCount] = Field(default_factory=list)
    http_statuses: list[EntityCount] = Field(default_factory=list)
    distinct: dict[str, int] = Field(default_factory=dict)


def _ips(line: str) -> Iterable[str]:
    for match in _IPV4.finditer(line):
        if all(int(part) <= 255 for part in match.group(1).split(".")):
            yield match.group(1)
    if "::" in line or line.count(":") >= 7:
        for match in _IPV6.finditer(line):
            try:
                yield str(ipaddress.IPv6Address(match.group(1)))
            except ValueError:
                continue


def entities_of_line(line: str) -> dict[str, list[str]]:
    """The entities one line names, by kind. Cheap substring tests decide which patterns can match at all."""
    found: dict[str, list[str]] = {"ips": list(_ips(line)), "users": [], "hosts": [], "http_statuses": []}
    if "=" in line or ":" in line:
        for m in _KEYED.finditer(line):
            found[_KEY_KINDS.get(m.group(1).lower(), "http_statuses")].append(m.group(2))
    if " from " in line or "user " in line or "User " in line:
        found["users"] += [m.group(1) for p in _USERS for m in p.finditer(line)]
    if line[:1].isupper() or line[:1] == "<":
        found["hosts"] += [m.group(1) for m in _SYSLOG_HOST.finditer(line)]
    if " /" in line:
        found["http_statuses"] += [m.group(1) for m in _REQUEST_STATUS.finditer(line)]
    found["users"] = [u for u in found["users"] if u.lower() not in _NOT_USERS]
    found["hosts"] = [h.rstrip(".") for h in found["hosts"] if not _IPV4.fullmatch(h)]
    found["http_statuses"] = list(dict.fromkeys(s for s in found["http_statuses"]
                                                if s.isdigit() and len(s) == 3 and 100 <= int(s) <= 599))
    return found


def count_entities(lines: Iterable[str], top: int | None = 10) -> Entities:
    """Count every kind over all lines; keep the `top` most frequent values of each (None: all of them)."""
    counters: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    for line in lines:
        for kind, values in entities_of_line(line).items():
            counters[kind].update(values)
    return Entities(**{kind: [EntityCount(value=v, count=n) for v, n in counters[kind].most_common(top)]
                       for kind in KINDS}, distinct={kind: len(counters[kind]) for kind in KINDS})

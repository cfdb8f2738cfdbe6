"""Reading an error line: the innermost cause of a wrapped error, and the table of error codes in plain words."""

from __future__ import annotations

import pytest

from faultmaven.copilot.error_meaning import MEANINGS, Meaning, innermost_cause, meanings


@pytest.mark.parametrize(("line", "cause"), [
    ('error syncing claim "pvc": failed to provision volume with StorageClass "enc": rpc error: code = Internal '
     'desc = failed to connect to KMS vault at: context deadline exceeded',
     "code = Internal: failed to connect to KMS vault at: context deadline exceeded"),
    ('grpc: createTransport failed. Err: connection error: desc = "transport: authentication handshake failed: '
     'x509: certificate has expired or is not yet valid: current time is after"',
     "x509: certificate has expired or is not yet valid: current time is after"),
    ("failed to run ovnkube: failed to start node network controller: error waiting for node readiness: timed out "
     "waiting for br-ex", "error waiting for node readiness: timed out waiting for br-ex"),
])
def test_the_innermost_cause_of_a_wrapped_error(line: str, cause: str) -> None:
    assert innermost_cause(line) == cause


@pytest.mark.parametrize("line", ["nf_conntrack: table full, dropping packet",  # a component and its message
                                  "accept() failed (Too many open files)", "connection refused"])
def test_a_line_that_wraps_nothing_has_no_separate_cause(line: str) -> None:
    assert innermost_cause(line) is None


@pytest.mark.parametrize("meaning", MEANINGS, ids=lambda m: m.name)
def test_every_meaning_matches_its_examples_and_not_its_counter_examples(meaning: Meaning) -> None:
    assert meaning.matches and meaning.misses
    assert all(meaning.pattern.search(line) for line in meaning.matches)
    assert not any(meaning.pattern.search(line) for line in meaning.misses)


def test_meanings_are_found_once_each_in_table_order() -> None:
    found = meanings(["getaddrinfo ENOTFOUND payments", "write /x: no space left on device", "ENOSPC again"])
    assert [m.name for m in found] == ["ENOSPC", "NXDOMAIN"]
    assert meanings(["all good here"]) == []


def test_the_head_of_a_chain_can_lead_its_cause() -> None:
    line = ("failed to run ovnkube: failed to start node network controller: error waiting for node readiness: "
            "timed out waiting for br-ex")
    assert innermost_cause(line, head=True) == ("failed to run ovnkube: error waiting for node readiness: timed out "
                                                "waiting for br-ex")
    assert innermost_cause("nf_conntrack: table full, dropping packet", head=True) is None

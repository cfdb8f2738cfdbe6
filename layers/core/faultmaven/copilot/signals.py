"""Cheap, explainable readings of what a user wrote: is it a problem report, a time, a change, a scope, a yes/no.

The doctrine engine uses these to move progress indicators without trusting a model's word for it.
"""

from __future__ import annotations

import re

_PROBLEM = re.compile(
    r"\b(error|errors|fail(s|ed|ing|ure)?|down|outage|crash(es|ed|ing)?|crashloop\w*|timeout|timed out|slow|latency|"
    r"5\d\d|4\d\d|oom\w*|out of memory|exception|panic|broken|not working|unavailable|degraded|spik(e|es|ing)|"
    r"stuck|pending|evicted|refused|denied|leak|high cpu|disk (full|pressure)|alert(s|ing)?|firing|restart(s|ing)?)\b",
    re.IGNORECASE)
_TIME = re.compile(
    r"(\b\d{1,2}:\d{2}\b|\b\d{4}-\d{2}-\d{2}\b|\bsince\b|\bstarted\b|\bbegan\b|\bago\b|\byesterday\b|\btoday\b|"
    r"\blast (night|week|hour|deploy)\b|\bthis morning\b|\bafter\b|\bUTC\b)", re.IGNORECASE)
_CHANGE = re.compile(
    r"\b(deploy(ed|ment)?|release[sd]?|rollout|rolled out|upgrade[sd]?|migrat(ed|ion)|config(uration)? change[sd]?|"
    r"changed|merged|feature flag|patch(ed)?|scaled|no (recent )?changes?|nothing changed)\b", re.IGNORECASE)
_SCOPE = re.compile(
    r"(\b\d+(\.\d+)?\s*%|\ball (users|customers|regions|pods|nodes|services)\b|\bonly\b|\bregion\b|\bcluster\b|"
    r"\bservice(s)?\b|\bnamespace\b|\bendpoint(s)?\b|\bcustomers?\b|\busers?\b|\bpods?\b|\bnodes?\b|\bprod(uction)?\b)",
    re.IGNORECASE)
_YES = re.compile(r"^\s*(yes|y|yeah|yep|confirm(ed)?|correct|go ahead|do it|ok(ay)?|sure|agreed|✅.*)\s*[.!]*\s*$",
                  re.IGNORECASE)
_NO = re.compile(r"^\s*(no|n|nope|not yet|cancel|reject(ed)?|don'?t|wait|❌.*)\s*[.!]*\s*$", re.IGNORECASE)


def describes_problem(text: str) -> bool:
    return bool(_PROBLEM.search(text))


def mentions_time(text: str) -> bool:
    return bool(_TIME.search(text))


def mentions_change(text: str) -> bool:
    return bool(_CHANGE.search(text))


def mentions_scope(text: str) -> bool:
    return bool(_SCOPE.search(text))


def yes_or_no(text: str) -> bool | None:
    """True for a plain yes, False for a plain no, None for anything else."""
    if _YES.match(text):
        return True
    if _NO.match(text):
        return False
    return None

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
# A moment someone can put on a timeline: a clock time, a date, "20 minutes ago", "yesterday" — never a bare
# "after", "since" or "started", which say that there is a time without saying which.
_TIME = re.compile(
    r"(\b\d{1,2}:\d{2}(:\d{2})?\b|\b\d{4}-\d{2}-\d{2}\b|\b\d+\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|h|"
    r"days?)\s+ago\b|\b(yesterday|last night|this morning|tonight)\b|\b\d{1,2}\s*(am|pm)\b)", re.IGNORECASE)
_CHANGE = re.compile(
    r"\b(deploy(ed|ment)?|release[sd]?|rollout|rolled out|upgrade[sd]?|migrat(ed|ion)|config(uration)? change[sd]?|"
    r"changed|merged|feature flag|patch(ed)?|scaled|no (recent )?changes?|nothing changed)\b", re.IGNORECASE)
# An extent someone measured or named: a share, a count, a region, or which (all / only / some) of the users,
# requests, hosts... — not the bare mention of "users" or "service".
_UNITS = (r"(users?|customers?|tenants?|accounts?|regions?|zones?|pods?|nodes?|hosts?|servers?|instances?|"
          r"services?|endpoints?|requests?|calls?|clusters?|shards?|replicas?|sites?|stores?)")
_SCOPE = re.compile(
    r"(\b\d+(\.\d+)?\s*%|\b\d+\s+(of\s+(the\s+)?\d+\s+)?" + _UNITS + r"\b|"
    r"\b(all|every|only|some|most|half( of)?|none of|no other)\s+(the\s+|our\s+)?(\S+\s+)?" + _UNITS + r"\b|"
    r"\b(us|eu|ap|sa|ca|me|af)-(east|west|north|south|central|northeast|southeast|northwest|southwest)(-\d)?\b|"
    r"\b[\w./-]+\s+(is|are|was|were)\s+(the only one\s+)?(affected|impacted)\b)",  # "only checkout is affected"
    re.IGNORECASE)
# A fix someone applied or will apply: the engineer's own words become the case's solution.
_FIX = re.compile(
    r"\b(roll(ed)?[ -]?back|revert(ed)?|restart(ed)?|rebooted|scal(ed|ing) (up|out|down)|increas(ed|ing)|"
    r"rais(ed|ing)|bump(ed)?|fix(ed)? (it |this )?(by|with)|fixed|patch(ed)?|renew(ed)?|rotat(ed|ing)|"
    r"replac(ed|ing)|free(d)? up|clean(ed)? up|added (an? )?index|re-?deploy(ed)?|disabl(ed|ing)|"
    r"enabl(ed|ing)|changed .+ (to|back)|set .+ to|resolved by|mitigated by)\b", re.IGNORECASE)
# Work someone names for after the incident: it becomes a postmortem's follow-ups.
_FOLLOW_UP = re.compile(
    r"\b(follow[- ]?ups?|action items?|to-?do|going forward|next time|in future|"
    r"we (will|should|need to|must) (add|alert|monitor|automate|document|review|test|limit|prevent)\w*|"
    r"(add|set up|create) (an? )?(alert|alarm|monitor|dashboard|runbook|test|check)s?)\b", re.IGNORECASE)
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


def states_fix(text: str) -> bool:
    return bool(_FIX.search(text))


def names_follow_up(text: str) -> bool:
    return bool(_FOLLOW_UP.search(text))


def yes_or_no(text: str) -> bool | None:
    """True for a plain yes, False for a plain no, None for anything else."""
    if _YES.match(text):
        return True
    if _NO.match(text):
        return False
    return None

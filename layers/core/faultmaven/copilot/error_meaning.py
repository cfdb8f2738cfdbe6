"""What an error line means, in the words a runbook would use.

Two readings that the knowledge base cannot do by itself:

- **The cause of a wrapped error.** Go, gRPC and most service errors nest their causes: `error syncing claim:
  failed to provision volume: rpc error: code = Internal desc = failed to connect to KMS: context deadline
  exceeded`. A query with the whole line follows the wrapper's words; the innermost parts name the failure.
- **Error codes as plain words.** `ENOTFOUND`, `Too many open files`, `CrashLoopBackOff` name a condition that
  runbooks describe in ordinary words (the DNS name does not exist, the file descriptor limit, a container that keeps
  restarting). A small table, written from the errno(3) descriptions, the Kubernetes reasons and the TLS and proxy
  messages as their documentation explains them, adds those words. It is rules as data: each entry carries lines it
  must and must not match, which a test runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from faultmaven.knowledge.query_terms import query_terms

# Where a wrapped error hands over to its cause: "context: cause", gRPC's "desc = cause", logfmt's err=cause,
# "Err: cause", and an opening quote after any of them.
_CAUSE_BREAK = re.compile(r":\s+\"?|\bdesc\s*=\s*\"?|\berr(?:or)?\s*=\s*\"?", re.IGNORECASE)
CAUSE_WORDS = 6  # the innermost parts are taken until they hold this many words (of three letters or more)
LABEL_WORDS = 2  # a part of at most this many words before the cause names who reports it


def innermost_cause(text: str, enough: int = CAUSE_WORDS, head: bool = False) -> str | None:
    """The end of an error chain: its innermost parts, until they hold `enough` words (a last part like
    "context deadline exceeded" says how it failed, the part before it what failed), with the label just before
    them when there is one ("x509", "nf_conntrack": which component says it); None when the line is not a chain
    (nothing would be left out). With `head`, the outermost part comes first: it often names the component
    ("failed to run ovnkube: ... timed out waiting for br-ex")."""
    parts = [p.strip(" \"'.,;") for p in _CAUSE_BREAK.split(text)]
    parts = [p for p in parts if _words(p)]
    taken: list[str] = []
    words: set[str] = set()
    while parts and len(words) < enough:
        taken.insert(0, parts.pop())
        words.update(_words(taken[0]))
    if parts and len(_words(parts[-1])) <= LABEL_WORDS:
        taken.insert(0, parts.pop())
    if not parts:
        return None
    return ": ".join([parts[0], *taken] if head else taken)


def _words(part: str) -> list[str]:
    return [w for w in query_terms(part) if len(w) > 2 and not w.isdigit()]


@dataclass(frozen=True)
class Meaning:
    name: str
    pattern: re.Pattern[str]
    words: str  # what the condition is, in plain words
    matches: tuple[str, ...]  # lines the pattern must match
    misses: tuple[str, ...]  # lines it must not match


def _m(name: str, pattern: str, words: str, matches: tuple[str, ...], misses: tuple[str, ...]) -> Meaning:
    return Meaning(name, re.compile(pattern, re.IGNORECASE), words, matches, misses)


MEANINGS: tuple[Meaning, ...] = (
    _m("ENOSPC", r"no space left on device|\bENOSPC\b|disk quota exceeded",
       "disk full: the filesystem or volume has no free space left",
       ("write /var/lib/x: no space left on device", "Error: ENOSPC: no space left"), ("space in the queue",)),
    _m("EMFILE", r"too many open files|\bE[MN]FILE\b",
       "file descriptor limit reached: the process has too many open file descriptors (ulimit nofile)",
       ("accept4() failed (24: Too many open files)", "Error: EMFILE, open 'a.txt'"), ("too many requests",)),
    _m("NXDOMAIN", r"\bENOTFOUND\b|\bNXDOMAIN\b|\bEAI_NONAME\b|no such host|name or service not known|"
       r"could not resolve host|unknown host",
       "DNS lookup failed: the domain name does not exist (NXDOMAIN)",
       ("getaddrinfo ENOTFOUND payments", "dial tcp: lookup db on 10.0.0.10:53: no such host"),
       ("file not found", "host is up")),
    _m("ECONNREFUSED", r"connection refused|\bECONNREFUSED\b",
       "connection refused: nothing listens on the port, the service is down",
       ("dial tcp 10.0.0.1:5432: connect: connection refused",), ("connection reset by peer",)),
    _m("OOM", r"out of memory|\bOOMKilled\b|oom[-_ ]?kill|\bKilled process\b",
       "out of memory: the OOM killer killed a process, memory is exhausted",
       ("Out of memory: Killed process 4411 (java)", "reason: OOMKilled"), ("memory usage 40%",)),
    _m("CrashLoopBackOff", r"crash ?loop ?back-?off|back-off restarting failed container",
       "the container keeps crashing and restarting, the pod never becomes ready",
       ("Back-off restarting failed container app", "Warning BackOff pod/a CrashLoopBackOff"),
       ("backoff 2s before retry",)),
    _m("ImagePullBackOff", r"ImagePullBackOff|ErrImagePull|failed to pull image",
       "the container image cannot be pulled from the registry",
       ("Failed to pull image \"x:1\": not found", "ErrImagePull"), ("pulled image in 2s",)),
    _m("DiskPressure", r"DiskPressure|ephemeral[- ]storage|evict\w* .{0,60}(?:disk|nodefs|imagefs)",
       "node disk pressure: the node filesystem is running out of space and the kubelet evicts pods",
       ("The node had condition: [DiskPressure]", "Evicted: the node was low on resource: ephemeral-storage"),
       ("disk latency high",)),
    _m("MemoryPressure", r"MemoryPressure|evict\w* .{0,60}\bmemory\b",
       "node memory pressure: the node is running out of memory and the kubelet evicts pods",
       ("The node had condition: [MemoryPressure]",), ("memory usage normal",)),
    _m("CertificateExpired", r"certificate (?:has )?expired|x509: certificate|certificate is not yet valid",
       "TLS certificate expired or not valid: the certificate validity period has ended",
       ("x509: certificate has expired or is not yet valid", "SSL certificate expired"),
       ("certificate rotated",)),
    _m("ClockSkew", r"\b(?:token|jwt|iat|nbf)\b.{0,60}(?:not yet valid|in the future|used before)|clock skew|"
       r"clock (?:is )?(?:wrong|drift\w*)|time (?:is )?out of sync",
       "clock skew: the system clock is wrong or not synchronised (NTP, chrony)",
       ("jwt: token is not yet valid (iat in the future)", "clock skew detected"),
       ("the certificate is not yet valid",)),
    _m("NoBackend", r"<NOSRV>|no healthy upstream|no (?:live|healthy )?upstreams?\b|no endpoints available|"
       r"no server is available",
       "no backend available: the service has no ready endpoints behind the router (HTTP 503)",
       ("fe be/<NOSRV> 0/-1/-1 503", "no healthy upstream"), ("upstream timed out",)),
    _m("UpstreamTimeout", r"upstream timed out|504 Gateway Time-?out",
       "the backend is too slow: requests time out at the proxy or load balancer (HTTP 504)",
       ("upstream timed out (110: Connection timed out) while reading response header",), ("upstream sent",)),
    _m("ReadOnlyFilesystem", r"read-only file system|\bEROFS\b",
       "the filesystem was remounted read-only, usually after disk or storage errors",
       ("open /data/x: read-only file system",), ("read only replica",)),
)


def meanings(texts: list[str]) -> list[Meaning]:
    """The table's entries that `texts` match, each once, in table order."""
    return [m for m in MEANINGS if any(m.pattern.search(t) for t in texts)]

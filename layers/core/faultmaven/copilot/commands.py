"""Offline commands chosen from the case: which domains its evidence and words point at, and what each phase needs.

Rules as data: each domain is a named pattern with examples that must and must not match it (a test runs them), and
commands per doctrine phase, each with why it is worth running. A case can touch several domains (a 503 from a load
balancer whose upstream pods are OOMKilled); the domains with the most matches are asked about first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

MAX_COMMANDS = 4


@dataclass(frozen=True)
class Command:
    label: str
    payload: str  # the exact command, or what to share for EVIDENCE
    why: str
    type: Literal["RUN", "EVIDENCE"] = "RUN"


@dataclass(frozen=True)
class Domain:
    name: str
    pattern: re.Pattern[str]
    examples: tuple[str, ...]  # texts this domain must recognise
    non_examples: tuple[str, ...]  # texts it must not
    phases: dict[int, tuple[Command, ...]] = field(default_factory=dict)


def _p(regex: str) -> re.Pattern[str]:
    return re.compile(regex, re.IGNORECASE)


DOMAINS: tuple[Domain, ...] = (
    Domain("kubernetes", _p(r"\b(kubectl|k8s|kubernetes|pods?|crashloop\w*|oomkilled|imagepullbackoff|kubelet|"
                            r"deployment/|namespace|replicaset|helm|evicted|readiness probe|liveness probe)\b"),
           ("pod checkout-7f9 is in CrashLoopBackOff", "container was OOMKilled", "Readiness probe failed"),
           ("the web server returned 503", "disk full on db-1"),
           {1: (Command("Pods not running", "kubectl get pods -A --field-selector=status.phase!=Running",
                        "shows which workloads are down and in which namespaces: the blast radius"),),
            2: (Command("Rollout history", "kubectl rollout history deployment/<name> -n <namespace>",
                        "a rollout just before the first error is the most common cause of a regression"),
                Command("Recent cluster events", "kubectl get events -A --sort-by=.lastTimestamp | tail -50",
                        "events carry the time of every kill, eviction and failed probe")),
            3: (Command("Describe the failing pod", "kubectl describe pod <pod> -n <namespace>",
                        "its last state, exit code and events name the kind of failure (OOMKilled, probe, image)"),),
            4: (Command("Logs of the crashed container", "kubectl logs <pod> -n <namespace> --previous --tail=200",
                        "the previous container's last lines show why it died"),
                Command("Resource use against limits", "kubectl top pods -n <namespace> --containers",
                        "confirms or rules out memory or CPU limits being hit")),
            5: (Command("Roll back the deployment", "kubectl rollout undo deployment/<name> -n <namespace>",
                        "restores the last version that worked while the fix is prepared"),
                Command("Watch the rollout recover", "kubectl rollout status deployment/<name> -n <namespace>",
                        "verifies the fix: every replica ready again"))}),
    Domain("linux-host", _p(r"\b(no space left|disk (full|pressure)|inode|oom-killer|out of memory|load average|"
                            r"systemd|journalctl|segfault|kernel|dmesg|swap|filesystem|read-only file system|"
                            r"too many open files|high cpu)\b"),
           ("write failed: No space left on device", "kernel: Out of memory: Killed process 1234", "load average 40"),
           ("pod checkout-7f9 is in CrashLoopBackOff", "x509: certificate has expired"),
           {1: (Command("Disk and inode use", "df -h && df -i", "a full disk or inode table fails every writer"),
                Command("Memory and load", "free -m && uptime", "shows memory pressure and load on the host")),
            2: (Command("System errors in the last hour", 'journalctl --since "1 hour ago" -p err --no-pager',
                        "the host's own record of what failed, with times"),),
            3: (Command("Kernel messages", "dmesg -T | tail -100",
                        "the OOM killer, disk and network driver errors are logged only here"),),
            4: (Command("Biggest directories", "du -xh / --max-depth=2 2>/dev/null | sort -rh | head -20",
                        "finds what filled the disk"),
                Command("Top processes by memory", "ps aux --sort=-%mem | head -15",
                        "names the process the memory went to")),
            5: (Command("Unit status after the fix", "systemctl status <unit> --no-pager",
                        "verifies the service runs again after the fix"),)}),
    Domain("database", _p(r"\b(postgres\w*|mysql|mariadb|mongo\w*|redis|5432|3306|6379|27017|too many connections|"
                          r"deadlock|replication lag|slow query|connection pool|pool exhausted|sqlstate|"
                          r"could not connect to server)\b"),
           ("FATAL: sorry, too many clients already (postgres)", "connection refused to 10.0.0.7:5432",
            "Deadlock found when trying to get lock"),
           ("the web server returned 503", "NXDOMAIN for api.example.com"),
           {1: (Command("Connections by state", "psql -c \"SELECT state, count(*) FROM pg_stat_activity GROUP BY 1\"",
                        "shows whether the database is saturated with connections or idle"),),
            2: (Command("Database server log", "tail -200 /var/log/postgresql/postgresql-*.log",
                        "the server's own errors and restarts, with times"),),
            3: (Command("Is the database accepting connections", "pg_isready -h <host> -p <port>",
                        "separates a database that is down from a network or pool problem"),),
            4: (Command("Longest running queries",
                        "psql -c \"SELECT pid, now()-query_start AS age, state, left(query,80) FROM pg_stat_activity "
                        "ORDER BY age DESC NULLS LAST LIMIT 10\"",
                        "long or blocked queries hold connections and locks"),
                Command("Connection limit", "psql -c 'SHOW max_connections'",
                        "compares the limit with what the pools of all clients may open")),
            5: (Command("Connections after the fix", "psql -c \"SELECT count(*) FROM pg_stat_activity\"",
                        "verifies the connection count stays below the limit"),)}),
    Domain("load-balancer", _p(r"\b(502|503|504|bad gateway|gateway timeout|upstream|nginx|haproxy|envoy|"
                               r"elb|alb|nlb|target group|unhealthy (host|target)s?|health ?check|ingress)\b"),
           ("upstream timed out (110: Connection timed out) while reading response header", "checkout returns 503",
            "ALB target group has 0 healthy targets"),
           ("disk full on db-1", "x509: certificate has expired"),
           {1: (Command("Error rate at the edge", "awk '$9 ~ /^5/ {print $9}' /var/log/nginx/access.log | sort | "
                                                  "uniq -c",
                        "counts the 5xx answers by code: how much traffic fails"),),
            2: (Command("Upstream errors with times", "grep -E 'upstream|connect\\(\\) failed' "
                                                       "/var/log/nginx/error.log | tail -50",
                        "when the balancer started failing to reach its backends"),),
            3: (Command("Target health", "aws elbv2 describe-target-health --target-group-arn <arn>",
                        "shows which backends the balancer considers unhealthy and why"),),
            4: (Command("Call a backend directly", "curl -sv -o /dev/null -w '%{http_code} %{time_total}\\n' "
                                                    "http://<backend>:<port>/health",
                        "tells a broken backend from a broken balancer"),),
            5: (Command("Edge error rate after the fix", "tail -1000 /var/log/nginx/access.log | awk '{print $9}' | "
                                                          "sort | uniq -c",
                        "verifies the 5xx are gone"),)}),
    Domain("dns", _p(r"\b(dns|nxdomain|servfail|name resolution|could not resolve|no such host|"
                     r"temporary failure in name resolution|coredns|route ?53|resolv\.conf)\b"),
           ("dial tcp: lookup api.internal: no such host", "getaddrinfo: Temporary failure in name resolution",
            "SERVFAIL from 10.0.0.2"),
           ("checkout returns 503", "disk full on db-1"),
           {1: (Command("Resolve the failing name", "dig +short <name>",
                        "checks whether the name resolves at all from here"),),
            2: (Command("Recent record changes", "aws route53 list-resource-record-sets --hosted-zone-id <zone> "
                                                 "--query \"ResourceRecordSets[?Name=='<name>.']\"",
                        "a changed or deleted record explains a sudden failure"),),
            3: (Command("Ask the authoritative servers", "dig +trace <name>",
                        "finds which step of the delegation fails"),),
            4: (Command("Resolver the clients use", "cat /etc/resolv.conf && dig <name> @<resolver>",
                        "separates a bad record from a bad resolver"),),
            5: (Command("Resolution after the fix", "dig +short <name> @<resolver>",
                        "verifies the name resolves again through the clients' resolver"),)}),
    Domain("tls", _p(r"\b(tls|ssl|x509|certificate|cert|handshake|expired|unknown ca|self[- ]signed|sni)\b"),
           ("x509: certificate has expired or is not yet valid", "SSL handshake failed", "unknown CA"),
           ("checkout returns 503", "connection refused to 10.0.0.7:5432"),
           {1: (Command("Certificate the endpoint serves", "openssl s_client -connect <host>:443 -servername <host> "
                                                            "</dev/null 2>/dev/null | openssl x509 -noout -dates "
                                                            "-subject -issuer",
                        "shows the dates, subject and issuer that clients see"),),
            2: (Command("When the certificate changed", "openssl s_client -connect <host>:443 -servername <host> "
                                                        "</dev/null 2>/dev/null | openssl x509 -noout -startdate",
                        "a certificate renewed or replaced at the time of the first error is the prime suspect"),),
            3: (Command("Full chain check", "openssl s_client -connect <host>:443 -servername <host> -showcerts "
                                            "</dev/null",
                        "a missing intermediate breaks some clients but not others"),),
            4: (Command("Verify against the CA bundle", "openssl verify -CAfile <ca-bundle> <cert.pem>",
                        "proves whether the chain validates"),),
            5: (Command("Expiry after the fix", "echo | openssl s_client -connect <host>:443 -servername <host> "
                                                "2>/dev/null | openssl x509 -noout -enddate",
                        "verifies the new certificate is served"),)}),
    Domain("cloud", _p(r"\b(aws|ec2|s3|lambda|dynamodb|iam|accessdenied|access denied|throttl\w*|rate exceeded|"
                       r"quota|service ?quotas?|limit exceeded|cloudwatch|gcp|azure|sqs|sns)\b"),
           ("ThrottlingException: Rate exceeded", "AccessDenied: not authorized to perform s3:GetObject",
            "Lambda function timed out"),
           ("pod checkout-7f9 is in CrashLoopBackOff", "NXDOMAIN for api.example.com"),
           {1: (Command("Provider health", "aws health describe-events --filter eventStatusCodes=open",
                        "an open provider incident explains failures you cannot fix"),),
            2: (Command("Recent API changes", "aws cloudtrail lookup-events --max-results 50 --start-time <time>",
                        "who changed what in the account before the first error"),),
            3: (Command("Errors and throttles by service", "aws cloudwatch get-metric-statistics --namespace "
                                                           "<AWS/Service> --metric-name Errors --statistics Sum "
                                                           "--period 300 --start-time <from> --end-time <to>",
                        "shows which service fails and since when"),),
            4: (Command("Quota in force", "aws service-quotas list-service-quotas --service-code <service>",
                        "throttling or limit errors are confirmed by the quota against the usage"),
                Command("Permissions of the caller", "aws sts get-caller-identity",
                        "AccessDenied is often the wrong role, not the wrong policy")),
            5: (Command("Errors after the fix", "aws cloudwatch get-metric-statistics --namespace <AWS/Service> "
                                                "--metric-name Errors --statistics Sum --period 60 "
                                                "--start-time <fix-time> --end-time <now>",
                        "verifies the errors stopped"),)}),
)

_GENERIC: dict[int, tuple[Command, ...]] = {
    1: (Command("Share the error rate and who is affected", "Which services, regions and share of users or "
                "requests fail?", "the blast radius decides how urgent this is and where to look", "EVIDENCE"),),
    2: (Command("When did it start, and what changed", "The time of the first error, and any deploy, config or "
                "infrastructure change shortly before it", "most incidents follow a change", "EVIDENCE"),),
    3: (Command("Attach the failing component's logs", "The logs of the failing component from 15 minutes before "
                "the first error", "hypotheses drawn from real error lines beat guesses", "EVIDENCE"),),
    5: (Command("Tell me the fix", "What did you change to fix it, and did the errors stop?",
                "the fix goes into the case record, its report and the runbook", "EVIDENCE"),),
}


def domains_in(text: str) -> list[str]:
    """The domains `text` points at, the most mentioned first."""
    counts = [(len(d.pattern.findall(text)), i, d.name) for i, d in enumerate(DOMAINS)]
    return [name for n, _, name in sorted(counts, key=lambda c: (-c[0], c[1])) if n]


def choose_commands(phase: int, text: str) -> list[Command]:
    """Commands for `phase` from the domains `text` (the engineer's words and the evidence) points at, each with
    why, then what to share whatever the domain."""
    by_name = {d.name: d for d in DOMAINS}
    chosen = [c for name in domains_in(text)[:2] for c in by_name[name].phases.get(phase, ())]
    return [*chosen[:MAX_COMMANDS - 1], *_GENERIC.get(phase, ())]

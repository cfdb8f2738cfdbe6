"""Alert webhooks: how fast the embedded server answers a sender, per kind of alert, against its trivial route.

    .venv/bin/python benchmarks/webhooks.py [--alerts 30]

Starts `faultmaven serve` on a free port and a fresh data dir (notifications off: nothing is configured), makes an
admin with `faultmaven admin create`, a user whose knowledge base holds the ten runbooks of tests/fixtures/rca_kb,
and a generic integration; then, one request at a time: `--alerts` new alerts (each opens a case, stores its
evidence and runs the first triage), a repeat of each (a duplicate), the resolution of each (a note), and as many
requests with a wrong secret (401), with `GET /health` between them as the trivial route. Prints p50/p95/max in ms
and p95 as a ratio to the trivial route's p95 in the same run, checks that a new alert's p95 stays under the
target, and writes benchmarks/results/webhooks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from load import PASSWORD, Recorder, _free_port, _pct, _serve
from results_file import write_results

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "webhooks.md"
KB = ROOT / "tests" / "fixtures" / "rca_kb"
# Alertmanager's webhook timeout defaults to 10 s and PagerDuty's to 5 s; stay well inside the shorter one.
TARGET_NEW_P95_MS = 2000
ROUTES = ("GET /health", "new alert (opened)", "repeat (duplicate)", "resolved (noted)", "wrong secret (401)")


def _setup(base: str, data_dir: Path) -> tuple[dict[str, str], str]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'core'}{os.pathsep}{ROOT}"}
    subprocess.run([sys.executable, "-m", "local.cli", "admin", "create", "root", "--data-dir", str(data_dir)],
                   input=PASSWORD + "\n", text=True, cwd=ROOT, env=env, check=True, capture_output=True)
    with httpx.Client(base_url=base, timeout=120) as c:
        c.post("/api/v1/auth/register", json={"username": "alice", "password": PASSWORD}).raise_for_status()
        alice = c.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD}).json()
        root = c.post("/api/v1/auth/login", json={"username": "root", "password": PASSWORD}).json()
        owner = {"Authorization": f"Bearer {alice['access_token']}"}
        for path in sorted(KB.glob("*/*.md")):
            c.post("/api/v1/knowledge/documents?wait=true", headers=owner,
                   files={"file": (path.name, path.read_bytes())},
                   data={"title": path.stem, "document_type": "runbook"}).raise_for_status()
        created = c.post("/api/v1/admin/integrations", headers={"Authorization": f"Bearer {root['access_token']}"},
                         json={"kind": "generic", "owner": "alice"})
        created.raise_for_status()
    integration = created.json()
    return {"Authorization": f"Bearer {integration['secret']}"}, integration["webhook_path"]


def _alert(n: int, status: str = "firing") -> dict[str, object]:
    return {"title": f"Node filesystem space filling up on worker-{n}", "status": status,
            "description": f"The filesystem at /var on worker-{n} has 4% space left and is filling up.",
            "fingerprint": f"fs-worker-{n}", "labels": {"instance": f"worker-{n}"}}


def _run(base: str, headers: dict[str, str], path: str, alerts: int, rec: Recorder) -> None:
    phases = (("new alert (opened)", "firing", headers), ("repeat (duplicate)", "firing", headers),
              ("resolved (noted)", "resolved", headers),
              ("wrong secret (401)", "firing", {"Authorization": "Bearer wrong-secret"}))
    with httpx.Client(base_url=base, timeout=60) as c:
        for route, status, sent_headers in phases:
            for n in range(alerts):
                rec.call(c, "GET /health", "GET", "/health")
                rec.call(c, route, "POST", path, json=_alert(n, status), headers=sent_headers)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--alerts", type=int, default=30)
    ap.add_argument("--no-write", action="store_true", help="print only; leave the results file alone")
    args = ap.parse_args()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    rec = Recorder()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        proc = _serve(port, data_dir)
        try:
            headers, path = _setup(base, data_dir)
            _run(base, headers, path, args.alerts, rec)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    base_p95 = _pct(rec.times["GET /health"], 0.95)
    expected_errors = {"wrong secret (401)": args.alerts}
    ok = all(rec.errors[route] == expected_errors.get(route, 0) for route in ROUTES)
    lines = [f"Alert webhooks on the embedded server, one request at a time, {args.alerts} alerts "
             f"(Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs; knowledge base: "
             "the ten runbooks of tests/fixtures/rca_kb).", "",
             "| request | n | errors | p50 ms | p95 ms | max ms | p95 / trivial p95 |", "|---|---|---|---|---|---|---|"]
    for route in ROUTES:
        values = rec.times[route]
        p50, p95 = _pct(values, 0.5), _pct(values, 0.95)
        lines.append(f"| {route} | {len(values)} | {rec.errors[route]} | {p50:.0f} | {p95:.0f} | {max(values):.0f} | "
                     f"{p95 / base_p95:.1f} |")
    new_p95 = _pct(rec.times["new alert (opened)"], 0.95)
    met = new_p95 <= TARGET_NEW_P95_MS
    lines += ["", f"A new alert's p95: {new_p95:.0f} ms (target: at most {TARGET_NEW_P95_MS} ms): "
                  f"{'met' if met else 'NOT met'}. Errors only where expected (the 401s): {'yes' if ok else 'NO'}.",
              "", "Measured by `benchmarks/webhooks.py`."]
    print("\n".join(lines))
    if not args.no_write:
        write_results(RESULT, ["# Alert webhooks", "", *lines])
    return 0 if met and ok else 1


if __name__ == "__main__":
    sys.exit(main())

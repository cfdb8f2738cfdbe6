"""Load: 50 concurrent users on the embedded server, each signing up, signing in, creating, listing and reading cases.

    .venv/bin/python benchmarks/load.py [--users 50] [--cases 5] [--rounds 1] [--compare COMMIT]

Starts `faultmaven serve` on a free port and a fresh data dir, then runs every user in its own thread at once:
register, login, then `--cases` times (create, list, get), and `GET /health` between steps as the trivial route.
Per route it prints p50/p95/max in milliseconds and p95 as a ratio to the trivial route's p95 in the same run, checks
the targets (case reads/writes p95 <= 300 ms, login p95 <= 1 s, no errors) and writes benchmarks/results/load.md.
`--compare COMMIT` then runs the same users against that commit's server (extracted from git): on a machine shared
with other work the ratio between two servers measured minutes apart says more than either figure.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / "layers" / "core")]

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "load.md"
PASSWORD = "correct horse battery staple"
TARGETS_MS = {"POST /cases": 300, "GET /cases": 300, "GET /cases/{id}": 300, "POST /auth/login": 1000}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port: int, data_dir: Path, root: Path = ROOT) -> subprocess.Popen:
    """`faultmaven serve` from the source tree `root` (this one, or an older commit's for --compare)."""
    env = {**os.environ, "PYTHONPATH": f"{root / 'layers' / 'core'}{os.pathsep}{root}",
           "FM_LOGIN_CLIENT_MAX_FAILURES": "100000"}
    proc = subprocess.Popen([sys.executable, "-m", "local.cli", "serve", "--port", str(port), "--data-dir",
                             str(data_dir)], cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


class Recorder:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    def call(self, client: httpx.Client, route: str, method: str, url: str, **kw: object) -> httpx.Response:
        start = time.perf_counter()
        r = client.request(method, url, **kw)
        elapsed = (time.perf_counter() - start) * 1000
        with self.lock:
            self.times[route].append(elapsed)
            if r.status_code >= 400:
                self.errors[route] += 1
        return r


def _user(base: str, n: int, cases: int, rec: Recorder, start: threading.Barrier) -> None:
    with httpx.Client(base_url=base, timeout=60) as c:
        start.wait()
        name = f"load-user-{n}"
        rec.call(c, "GET /health", "GET", "/health")
        rec.call(c, "POST /auth/register", "POST", "/api/v1/auth/register",
                 json={"username": name, "password": PASSWORD})
        r = rec.call(c, "POST /auth/login", "POST", "/api/v1/auth/login", json={"username": name, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        for i in range(cases):
            rec.call(c, "GET /health", "GET", "/health")
            case = rec.call(c, "POST /cases", "POST", "/api/v1/cases", json={"title": f"outage {n}-{i}"},
                            headers=headers).json()
            rec.call(c, "GET /cases", "GET", "/api/v1/cases", headers=headers)
            rec.call(c, "GET /cases/{id}", "GET", f"/api/v1/cases/{case['case_id']}", headers=headers)


def _hash_ms(repeat: int = 5) -> float:
    """The median cost of one Argon2id hash on this machine now: what each register and login spends on the CPU."""
    from faultmaven.auth.passwords import hash_password

    costs = []
    for _ in range(repeat):
        start = time.perf_counter()
        hash_password(PASSWORD)
        costs.append((time.perf_counter() - start) * 1000)
    return sorted(costs)[repeat // 2]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _run(users: int, cases: int, root: Path) -> tuple[Recorder, float]:
    """Every user at once against a fresh server from `root`; the recorder and the wall time."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = _serve(port, Path(tmp) / "data", root)
        try:
            rec, barrier = Recorder(), threading.Barrier(users)
            threads = [threading.Thread(target=_user, args=(f"http://127.0.0.1:{port}", n, cases, rec, barrier))
                       for n in range(users)]
            began = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return rec, time.perf_counter() - began
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _figures(recs: list[Recorder]) -> dict[str, tuple[float, float, float, int]]:
    """Per route: the medians over rounds of p50, p95 and max, and the number of requests in all rounds."""
    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    return {route: (median([_pct(r.times[route], 0.5) for r in recs]),
                    median([_pct(r.times[route], 0.95) for r in recs]),
                    median([max(r.times[route]) for r in recs]),
                    sum(len(r.times[route]) for r in recs))
            for route in recs[0].times}


def _source_tree(commit: str, into: Path) -> Path:
    """The repository's files as of `commit`, extracted from git (no checkout, no work tree touched)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--cases", type=int, default=5)
    ap.add_argument("--compare", metavar="COMMIT", help="also run the server of an older commit, right after")
    ap.add_argument("--rounds", type=int, default=1, help="repeat (alternating with --compare); medians are shown")
    ap.add_argument("--no-write", action="store_true", help="print only; leave the results file alone")
    args = ap.parse_args()
    hash_ms, load_before = _hash_ms(), os.getloadavg()[0]
    ours: list[Recorder] = []
    theirs: list[Recorder] = []
    wall = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        older_root = _source_tree(args.compare, Path(tmp)) if args.compare else None
        for _ in range(args.rounds):
            rec, seconds = _run(args.users, args.cases, ROOT)
            ours.append(rec)
            wall += seconds
            if older_root is not None:
                theirs.append(_run(args.users, args.cases, older_root)[0])
    hash_after_ms, load_after = _hash_ms(), os.getloadavg()[0]
    fig, older = _figures(ours), _figures(theirs) if theirs else None
    base_p95 = fig["GET /health"][1]
    login_p95 = fig["POST /auth/login"][1]
    errors = {route: sum(r.errors[route] for r in ours) for route in fig}
    rows, ok = [], sum(errors.values()) == 0
    for route, (p50, p95, top, n) in fig.items():
        target = TARGETS_MS.get(route)
        met = "" if target is None else ("yes" if p95 <= target else "NO")
        ok &= met != "NO"
        rows.append(f"| {route} | {n} | {errors[route]} | {p50:.0f} | {p95:.0f} | {top:.0f} | "
                    f"{p95 / base_p95:.1f} | {target or ''} | {met} |")
    total = sum(n for *_, n in fig.values())
    lines = [
        "# Load: concurrent users on the embedded server", "",
        f"Printed by `benchmarks/load.py --users {args.users} --cases {args.cases} --rounds {args.rounds}"
        f"{f' --compare {args.compare}' if args.compare else ''}` on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}: {total} requests in {wall:.1f} s, "
        f"{sum(errors.values())} errors. Times in ms, each the median over the rounds of that round's figure; "
        f"ratio = the route's p95 / the p95 of `GET /health` ({base_p95:.0f} ms) in the same run.", "",
        f"One Argon2id hash cost {hash_ms:.0f} ms here before the run and {hash_after_ms:.0f} ms after it (median "
        f"of 5, wall time); the {2 * args.users} registrations and logins need at least "
        f"{2 * args.users * hash_ms / 1000:.1f} s of hashing. Load average (1 min) {load_before:.1f} before, "
        f"{load_after:.1f} after: other work on the machine slows every figure; the ratios to the trivial route and "
        f"to one hash are the comparable ones. Sign-in p95 = {login_p95 / hash_after_ms:.0f} hashes.", "",
        "| route | requests | errors | p50 | p95 | max | p95 ratio | target p95 | met |",
        "|---|---|---|---|---|---|---|---|---|", *rows, "",
        f"All targets met: {'yes' if ok else 'no'}.", ""]
    if older is not None:
        lines += [
            f"## The same users against the server of commit {args.compare}, after each round of this tree", "",
            "| route | errors | p50 | p95 | this tree's p50 / that p50 | this tree's p95 / that p95 |",
            "|---|---|---|---|---|---|",
            *(f"| {route} | {sum(r.errors[route] for r in theirs)} | {p50:.0f} | {p95:.0f} | "
              f"{fig[route][0] / p50:.2f} | {fig[route][1] / p95:.2f} |" for route, (p50, p95, _, _) in older.items()),
            ""]
    print("\n".join(lines))
    if not args.no_write:
        RESULT.write_text("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

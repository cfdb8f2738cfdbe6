"""Cold start of each Lambda handler, as a ratio to a bare FastAPI + Mangum hello world measured in the same run.

    .venv/bin/python benchmarks/cold_start.py [--repeat 7]

For each function under functions/ (and the baseline), a fresh Python process imports the handler module and answers
one API Gateway HTTP API (v2) event; the parent times the process from spawn to exit, the child reports its import
and first-request times. Medians over --repeat runs, after one discarded run that warms the disk cache. The functions
run in the embedded mode on a temporary data dir (no network), so the storage adapters they would use in the cloud
(PynamoDB, boto3) are not imported here — the numbers measure the code the functions themselves load at cold start.
The last column lists heavy modules a handler imported before its first request: each should be lazy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "cold_start.md"
HEAVY = ("boto3", "botocore", "pynamodb", "opensearchpy", "onnxruntime", "numpy", "tokenizers", "httpx", "openai",
         "anthropic", "jsonschema", "sqlite_vec", "pypdf", "PIL", "drain3", "detect_secrets")

# (function, method, path): a route each function serves; private routes answer 401 without a token, which still
# runs the app's full middleware and routing stack.
SAMPLES = {
    "meta": ("GET", "/health"), "auth": ("GET", "/api/v1/auth/config"), "sessions": ("GET", "/api/v1/sessions"),
    "cases": ("GET", "/api/v1/cases"), "evidence": ("GET", "/api/v1/cases/c1/uploaded-files"),
    "knowledge": ("GET", "/api/v1/knowledge/stats"), "copilot": ("GET", "/api/v1/cases/c1/reports"),
}

BASELINE = '''
from fastapi import FastAPI
from mangum import Mangum
app = FastAPI()
@app.get("/hello")
def hello():
    return {"hello": "world"}
handler = Mangum(app, lifespan="off")
'''

CHILD = '''
import json, sys, time
t0 = time.perf_counter()
module, method, path, heavy = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
if module == "baseline":
    namespace = {}
    exec(compile(sys.argv[5], "baseline", "exec"), namespace)
    handler = namespace["handler"]
else:
    import importlib
    handler = importlib.import_module(module).handler
t1 = time.perf_counter()
eagerly = sorted(m for m in heavy if m in sys.modules)

class Context:
    function_name = "cold-start"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:cold-start"
    aws_request_id = "req-1"

event = {"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
         "headers": {"host": "api.example.com", "user-agent": "cold-start", "accept": "application/json"},
         "requestContext": {"accountId": "000000000000", "apiId": "api", "domainName": "api.example.com",
                            "domainPrefix": "api", "requestId": "req-1", "routeKey": "$default", "stage": "$default",
                            "time": "01/Jan/2026:00:00:00 +0000", "timeEpoch": 1767225600000,
                            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                                     "userAgent": "cold-start"}},
         "isBase64Encoded": False}
response = handler(event, Context())
t2 = time.perf_counter()
print(json.dumps({"import_ms": (t1 - t0) * 1000, "first_ms": (t2 - t1) * 1000, "status": response["statusCode"],
                  "eager": eagerly}))
'''


def _env(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FM_")}
    env.update({"FM_MODE": "embedded", "FM_DATA_DIR": data_dir, "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_NAMESPACE": "ColdStart", "POWERTOOLS_LOG_LEVEL": "WARNING",
                "AWS_DEFAULT_REGION": "us-east-1", "PYTHONPATH": str(ROOT)})
    return env


def run_once(module: str, method: str, path: str, env: dict[str, str]) -> dict[str, float]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, module, method, path, ",".join(HEAVY), BASELINE],
                          capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    total = (time.perf_counter() - started) * 1000
    if proc.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{proc.stderr[-2000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["total_ms"] = total
    return result


def measure(module: str, method: str, path: str, env: dict[str, str], repeat: int) -> dict[str, object]:
    run_once(module, method, path, env)  # warm the disk cache
    runs = [run_once(module, method, path, env) for _ in range(repeat)]
    return {key: statistics.median(r[key] for r in runs) for key in ("import_ms", "first_ms", "total_ms")} | {
        "status": runs[-1]["status"], "eager": runs[-1]["eager"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    functions = sorted(p.parent.name for p in (ROOT / "functions").glob("*/handler.py"))
    with tempfile.TemporaryDirectory() as data_dir:
        env = _env(data_dir)
        run_once("functions.auth.handler", "GET", "/api/v1/auth/config", env)  # first start makes the data dir
        base = measure("baseline", "GET", "/hello", env, args.repeat)
        rows = [("FastAPI + Mangum hello world (baseline)", "GET /hello", base)]
        for name in functions:
            method, path = SAMPLES.get(name, ("GET", "/health"))
            rows.append((name, f"{method} {path}", measure(f"functions.{name}.handler", method, path, env,
                                                           args.repeat)))
    lines = [f"Cold start, fresh process to first response; median of {args.repeat} runs "
             f"(Python {platform.python_version()}, {platform.machine()}, embedded mode).", "",
             "| handler | event | status | import ms | first request ms | process total ms | ratio to baseline "
             "| heavy modules imported eagerly |", "|---|---|---|---|---|---|---|---|"]
    for name, event, r in rows:
        ratio = r["total_ms"] / base["total_ms"]
        lines.append(f"| {name} | `{event}` | {r['status']} | {r['import_ms']:.0f} | {r['first_ms']:.0f} "
                     f"| {r['total_ms']:.0f} | {ratio:.2f}x | {', '.join(r['eager']) or '-'} |")
    table = "\n".join(lines)
    print(table)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text("# Cold start\n\n" + table + "\n\nMeasured by `benchmarks/cold_start.py`.\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

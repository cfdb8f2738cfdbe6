"""Cold start of each Lambda handler, as a ratio to a bare FastAPI + Mangum hello world measured in the same run.

    .venv/bin/python benchmarks/cold_start.py [--repeat 7] [--layer build/lambda-host]

For each function under functions/ (and the baseline), a fresh Python process imports the handler module and answers
one API Gateway HTTP API (v2) event; the parent times the process from spawn to exit, the child reports its import
and first-request times. Medians over --repeat runs, after one discarded run that warms the disk cache.

The functions run as a Lambda runs them: the cloud mode (FM_MODE=aws: DynamoDB, S3, the JWT key from the environment
as the stack's secret would give it), tracing off (POWERTOOLS_TRACE_DISABLED, as on the emulators), and — with
--layer, the default when build/lambda-host exists (`scripts/build_layers.py --host --out build/lambda-host`) — only
the layer's own packages on the path (`python -S`: no site-packages), for the baseline too. The AWS endpoint points at
a closed local port, so a request that reached AWS would fail instead of timing the network; the sample requests are
chosen to need no AWS call. The last column lists heavy modules imported before the first response: each should be
lazy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST_LAYER = ROOT / "build" / "lambda-host"
TARGET_RATIO = 1.5
RESULT = ROOT / "benchmarks" / "results" / "cold_start.md"
HEAVY = ("boto3", "botocore.client", "aws_xray_sdk", "pynamodb", "opensearchpy", "onnxruntime", "numpy", "tokenizers",
         "httpx", "openai", "anthropic", "jwt", "cryptography", "jsonschema", "sqlite_vec", "pypdf", "PIL", "drain3",
         "detect_secrets")

# (function, method, path): a route each function serves; private routes answer 401 without a token, which still
# runs the app's full middleware and routing stack.
SAMPLES = {
    "meta": ("GET", "/api/v1/meta/capabilities"), "auth": ("GET", "/api/v1/auth/config"),
    "sessions": ("GET", "/api/v1/sessions"),
    "cases": ("GET", "/api/v1/cases"), "evidence": ("GET", "/api/v1/cases/c1/uploaded-files"),
    "knowledge": ("GET", "/api/v1/knowledge/stats"), "copilot": ("GET", "/api/v1/cases/c1/reports"),
    "integrations": ("POST", "/api/v1/webhooks/generic"),  # no integration named: 401 before any store call
    "portability": ("GET", "/api/v1/admin/data/exports/e1"), "teams": ("GET", "/api/v1/teams"),
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


def _pem_pair() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def _env(layer: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FM_", "PYTHON"))}
    path = [layer / "deps" / "python", layer / "core" / "python", layer / "functions"] if layer else \
        [ROOT / "layers" / "core", ROOT]
    env.update({"FM_MODE": "aws", "FM_AWS_ENDPOINT_URL": "http://127.0.0.1:9", "FM_EVIDENCE_BUCKET": "cold-start",
                "FM_TABLE_PREFIX": "cold-start", "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "WARNING",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "cold", "AWS_SECRET_ACCESS_KEY": "cold",
                "PYTHONPATH": os.pathsep.join(map(str, path))})
    return env


def _key_env(env: dict[str, str], function: str, keys: tuple[str, str]) -> dict[str, str]:
    """The auth function signs (the private key); every other one verifies (the public key), as in the stack."""
    return {**env, "FM_JWT_PRIVATE_KEY" if function == "auth" else "FM_JWT_PUBLIC_KEY":
            keys[0] if function == "auth" else keys[1]}


def run_once(module: str, method: str, path: str, env: dict[str, str]) -> dict[str, float]:
    started = time.perf_counter()
    layer = env.get("COLD_START_LAYER")
    # From the layer's folder: `-c` puts the working directory first on the path, where the repo's own functions/
    # would shadow the layer's.
    proc = subprocess.run([sys.executable, *(["-S"] if layer else []), "-c", CHILD, module, method, path,
                           ",".join(HEAVY), BASELINE], capture_output=True, text=True, env=env, cwd=layer or ROOT,
                          check=False)
    total = (time.perf_counter() - started) * 1000
    if proc.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{proc.stderr[-2000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["total_ms"] = total
    return result


def measure(module: str, method: str, path: str, env: dict[str, str], repeat: int,
            baseline_env: dict[str, str]) -> dict[str, object]:
    """Medians of `repeat` runs, each right after a baseline run: `ratio` is the median of the pairs' ratios, which
    cancels most of the load other processes put on a shared machine."""
    run_once(module, method, path, env)  # warm the disk cache
    runs, ratios = [], []
    for _ in range(repeat):
        base = run_once("baseline", "GET", "/hello", baseline_env)
        runs.append(run_once(module, method, path, env))
        ratios.append(runs[-1]["total_ms"] / base["total_ms"])
    return {key: statistics.median(r[key] for r in runs) for key in ("import_ms", "first_ms", "total_ms")} | {
        "status": runs[-1]["status"], "eager": runs[-1]["eager"], "ratio": statistics.median(ratios)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--layer", type=Path, default=HOST_LAYER if HOST_LAYER.is_dir() else None,
                        help="a host build of the layers (scripts/build_layers.py --host); default: the venv")
    args = parser.parse_args(argv)
    functions = sorted(p.parent.name for p in (ROOT / "functions").glob("*/handler.py"))
    env = _env(args.layer)
    if args.layer:
        env["COLD_START_LAYER"] = str(args.layer.resolve())
    keys = _pem_pair()
    base = measure("baseline", "GET", "/hello", env, args.repeat, env)
    rows = [("FastAPI + Mangum hello world (baseline)", "GET /hello", base)]
    for name in functions:
        method, path = SAMPLES[name]
        rows.append((name, f"{method} {path}", measure(f"functions.{name}.handler", method, path,
                                                       _key_env(env, name, keys), args.repeat, env)))
    packages = f"the layer's packages ({args.layer.name})" if args.layer else "the development venv's packages"
    lines = [f"Cold start, fresh process to first response; median of {args.repeat} runs "
             f"(Python {platform.python_version()}, {platform.machine()}, cloud mode FM_MODE=aws, tracing off, "
             f"{packages}).", "",
             "| handler | event | status | import ms | first request ms | process total ms "
             "| ratio to baseline (paired) | heavy modules imported eagerly |", "|---|---|---|---|---|---|---|---|"]
    worst = max(float(r["ratio"]) for _, _, r in rows[1:])
    for name, event, r in rows:
        lines.append(f"| {name} | `{event}` | {r['status']} | {r['import_ms']:.0f} | {r['first_ms']:.0f} "
                     f"| {r['total_ms']:.0f} | {r['ratio']:.2f}x | {', '.join(r['eager']) or '-'} |")
    lines += ["", f"Slowest function: {worst:.2f}x the baseline (target: at most {TARGET_RATIO:.1f}x)."]
    table = "\n".join(lines)
    print(table)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text("# Cold start\n\n" + table + "\n\nMeasured by `benchmarks/cold_start.py`.\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

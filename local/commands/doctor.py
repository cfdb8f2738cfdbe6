"""`faultmaven doctor`: what the embedded server would run with, checked without starting it or changing anything.

The data dir (present, writable), the keys (signing key, redaction key), the language model's endpoint (reachable?),
the knowledge base (documents by scope and status), and what a client will read in /api/v1/meta/capabilities.
Exit status 1 when something would stop the server or the copilot from working as configured."""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MODEL_PROBE_SECONDS = 5.0


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    problems: int = 0

    def ok(self, what: str, detail: str) -> None:
        self.lines.append(f"  ok    {what}: {detail}")

    def note(self, what: str, detail: str) -> None:
        self.lines.append(f"  note  {what}: {detail}")

    def fail(self, what: str, detail: str) -> None:
        self.problems += 1
        self.lines.append(f"  FAIL  {what}: {detail}")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("doctor", help="check the data dir, keys, model endpoint, knowledge base and "
                                             "capabilities of the embedded server")
    p.add_argument("--data-dir", type=Path, default=None, help="the embedded data dir (default .fm-data, or "
                                                                  "FM_DATA_DIR), as for `faultmaven serve`")
    p.set_defaults(func=run)


def _data_dir(report: Report, data_dir: Path) -> bool:
    where = str(data_dir.resolve())
    if not data_dir.exists():
        report.note("data dir", f"{where} does not exist yet; `faultmaven serve` creates it")
        return False
    if not os.access(data_dir, os.W_OK | os.X_OK):
        report.fail("data dir", f"{where} is not writable by this user")
        return True
    database = data_dir / "faultmaven.db"
    size = f", database {database.stat().st_size / 1e6:.1f} MB" if database.exists() else ", no database yet"
    report.ok("data dir", f"{where} (writable{size})")
    return database.exists()


def _keys(report: Report, settings: Any) -> None:
    keys = settings.data_dir / "keys"
    for what, configured, file_name in (
            ("signing key", settings.jwt_private_key or settings.jwt_secret_arn or settings.jwt_public_key,
             "jwt-signing.pem"),
            ("redaction key", settings.redaction_key or settings.redaction_key_secret_arn, "redaction.key")):
        path = keys / file_name
        if configured:
            report.ok(what, "from the environment")
        elif path.exists():
            mode = path.stat().st_mode & 0o777
            detail = f"{path} (mode {mode:o})"
            (report.fail if mode & 0o077 else report.ok)(what, detail + (": readable by others" if mode & 0o077
                                                                          else ""))
        else:
            report.note(what, "not created yet; made on first use")


def _model(report: Report, settings: Any) -> None:
    import httpx

    provider = settings.llm_provider
    if provider == "none":
        report.note("language model", "none configured: the copilot answers from its rules (FM_LLM_PROVIDER)")
        return
    name = f"{provider} {settings.llm_model or '(no model named)'}"
    if provider == "bedrock" and not settings.llm_base_url:
        report.note("language model", f"{name}: Bedrock is reached with the AWS credentials; not probed here")
        return
    base = settings.llm_base_url or {"openai": "https://api.openai.com/v1",
                                     "anthropic": "https://api.anthropic.com/v1"}[provider]
    url = base.rstrip("/") + "/models"
    try:
        status = httpx.get(url, timeout=MODEL_PROBE_SECONDS).status_code
    except httpx.HTTPError as error:
        report.fail("language model", f"{name}: {url} is not reachable ({type(error).__name__})")
        return
    if status in (401, 403):
        report.fail("language model", f"{name}: {url} answers {status}; check FM_LLM_API_KEY")
    else:
        report.ok("language model", f"{name}: {url} reachable (HTTP {status})")


def _knowledge(report: Report, settings: Any) -> None:
    from faultmaven.container import Container

    counts = Container(settings).documents.scope_status_counts()
    if not counts:
        report.note("knowledge base", "no documents: the copilot cites nothing until you add some "
                                      "(`faultmaven kb add PATH`, or the dashboard)")
        return
    scopes = sorted({scope for scope, _ in counts})
    for scope in scopes:
        by_status = {status: n for (s, status), n in sorted(counts.items()) if s == scope}
        detail = ", ".join(f"{n} {status}" for status, n in by_status.items())
        (report.fail if by_status.get("failed") else report.ok)(f"knowledge base, {scope}", detail)
    if not any(n for (scope, status), n in counts.items() if scope == "global" and status == "indexed"):
        report.note("knowledge base", "no global documents: each user's copilot sees only their own")


def run(args: argparse.Namespace) -> int:
    from faultmaven.capabilities import capabilities
    from faultmaven.settings import Settings

    overrides: dict[str, object] = {"mode": "embedded"}
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    settings = Settings(**overrides)
    report = Report()
    has_database = _data_dir(report, settings.data_dir)
    _keys(report, settings)
    _model(report, settings)
    if has_database:
        _knowledge(report, settings)
    print("FaultMaven doctor")
    print("\n".join(report.lines))
    print(f"\nWhat a client reads at {settings.effective_public_url}/api/v1/meta/capabilities:")
    for key, value in capabilities(settings).items():
        print(f"  {key}: {json.dumps(value)}")
    print(f"\n{report.problems} problem(s)" if report.problems else "\nno problems found")
    return 1 if report.problems else 0

"""`faultmaven serve` as an operator meets it: "listening" only once the port is bound, one clear line and exit
status 1 for a port in use, `--log-level` for the access log, and `faultmaven --version`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from faultmaven import __version__

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "true", "FM_LLM_PROVIDER": "none", "HF_HUB_OFFLINE": "1"}


def _cli(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "local.cli", *args], cwd=REPO, env=ENV, capture_output=True,
                          text=True, timeout=120, **kwargs)


def test_version() -> None:
    r = _cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"faultmaven {__version__}"


def test_a_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = _cli("serve", "--port", str(port), "--data-dir", str(tmp_path))
    assert r.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in r.stderr and "--port" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout and "listening" not in r.stdout


def _serve(tmp_path: Path, *args: str) -> str:
    """Start the server, wait for "listening", make two requests, stop it; return its output."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "out.log"
    with out.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "local.cli", "serve", "--port", str(port), "--data-dir",
                                 str(tmp_path / "data"), *args], cwd=REPO, env=ENV, stdout=sink,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while "listening on" not in out.read_text():
                assert proc.poll() is None, out.read_text()
                assert time.monotonic() < deadline
                time.sleep(0.1)
            url = f"http://127.0.0.1:{port}"
            # Announced only after the bind: the very first request is answered.
            assert httpx.get(f"{url}/health", timeout=30).status_code == 200
            assert httpx.get(f"{url}/api/v1/cases", timeout=30).status_code == 401
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return out.read_text()


def test_access_log_follows_the_log_level(tmp_path: Path) -> None:
    text = _serve(tmp_path / "info")
    assert '"message":"access"' in text and '"route":"/health"' in text and '"status":401' in text
    quiet = _serve(tmp_path / "warning", "--log-level", "warning")
    assert "listening on" in quiet and '"message":"access"' not in quiet

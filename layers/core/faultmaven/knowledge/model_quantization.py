"""The embedding model with int8 arithmetic: built once from the shipped model, then read from a disk cache.

The shipped all-MiniLM-L6-v2 graph stores its weights as int8 but turns them back into float32 before every matrix
product, so it computes in float32. Dynamic quantization (onnxruntime.quantization, per output channel) rewrites the
products to int8 x int8 with the activations' scale measured at run time, which the CPU's integer dot-product
instructions run about twice as fast (benchmarks/retrieval_speed.py measures both in the same run; the held-out
quality with it is in benchmarks/results/retrieval.md).

The activations' scale is measured over the whole input tensor of a call, so a text's vector would depend on the
texts batched with it; the embedder therefore runs the quantized graph one text per call, several calls side by side.

The exported graph also guards every attention softmax with `Where(IsNaN(p), 0, p)`, for rows whose keys are all
masked with -inf. Its mask uses the lowest finite float instead, so the softmax never yields NaN and the guard
changes nothing; it is dropped (about a tenth of the run time in onnxruntime's profile of a 108-token text).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from faultmaven.errors import Unavailable

RECIPE = "dynamic-int8-per-channel-v2"  # change it when the steps below change: cached files are keyed by it


def default_cache_dir() -> Path:
    """Where quantized models are kept when the caller names no folder: the user's cache folder."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "faultmaven" / "models"


def quantized_model(source: Path, cache_dir: Path | None = None) -> Path:
    """The int8 version of the ONNX model at `source`, built on the first call (a few seconds) and cached."""
    cache_dir = cache_dir or default_cache_dir()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = cache_dir / f"{source.stem}-{digest}-{RECIPE}.onnx"
    if target.exists():
        return target
    try:
        import onnxruntime as ort
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:  # onnxruntime.quantization imports the `onnx` package
        raise Unavailable(f"quantizing the embedding model needs the onnx package ({exc.name} is missing)") from exc
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        work_dir = tempfile.TemporaryDirectory(dir=cache_dir)
    except OSError as exc:
        raise Unavailable(f"cannot write the int8 embedding model into {cache_dir} ({exc.strerror}); "
                          "point XDG_CACHE_HOME at a writable folder") from exc
    with work_dir as work:
        folded = Path(work) / "float32.onnx"
        # Constant folding turns the stored int8 weights and their scales into plain float32 weights, which is the
        # form quantize_dynamic recognises as a weight to quantize.
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
        built = Path(work) / "int8.onnx"
        quantize_dynamic(folded, built, weight_type=QuantType.QInt8, per_channel=True)
        import onnx

        model = onnx.load(str(built))
        drop_nan_guards(model.graph)
        onnx.save(model, str(built))
        os.replace(built, target)  # atomic: a concurrent builder's file is either whole or absent
    return target


def drop_nan_guards(graph: Any) -> int:
    """Remove `Where(IsNaN(p), 0, p)` after each Softmax from an ONNX graph; returns how many were removed."""
    from onnx import numpy_helper

    producers = {out: node for node in graph.node for out in node.output}
    uses = Counter(name for node in graph.node for name in node.input)
    zeros = {i.name for i in graph.initializer if numpy_helper.to_array(i).size == 1
             and float(numpy_helper.to_array(i).reshape(())) == 0.0}
    kept_names = {o.name for o in graph.output}
    rename: dict[str, str] = {}
    dropped = []
    for node in graph.node:
        test = producers.get(node.input[0]) if node.op_type == "Where" else None
        if (test is not None and test.op_type == "IsNaN" and uses[test.output[0]] == 1
                and test.input[0] == node.input[2] and producers[node.input[2]].op_type == "Softmax"
                and node.input[1] in zeros and node.output[0] not in kept_names):
            rename[node.output[0]] = node.input[2]
            dropped += [node, test]
    for node in dropped:
        graph.node.remove(node)
    for node in graph.node:
        for i, name in enumerate(node.input):
            node.input[i] = rename.get(name, name)
    return len(rename)

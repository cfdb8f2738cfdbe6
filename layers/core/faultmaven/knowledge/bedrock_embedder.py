"""Amazon Bedrock text embeddings (Titan Text Embeddings v2 by default) for the cloud deployment.

boto3 is imported when the first client is made, so importing this module is cheap. Titan embeds one text per
`invoke_model` call; texts are sent in order on one client (boto3 clients are thread-safe).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from faultmaven.errors import Unavailable
from faultmaven.ports.embedder import EmbeddingSpace

if TYPE_CHECKING:
    import numpy as np

DEFAULT_MODEL_ID = "amazon.titan-embed-text-v2:0"
_V2_DIMENSIONS = (256, 512, 1024)
_MAX_INPUT_CHARS = 50_000  # Titan v2 accepts up to 8,192 tokens or 50,000 characters


class BedrockEmbedder:
    def __init__(
        self,
        model_id: str = DEFAULT_MODEL_ID,
        *,
        dimensions: int = 1024,
        region: str | None = None,
        endpoint_url: str | None = None,
        client: Any = None,
    ) -> None:
        self._v2 = "titan-embed-text-v2" in model_id
        if self._v2 and dimensions not in _V2_DIMENSIONS:
            raise ValueError(f"Titan v2 embeds to {_V2_DIMENSIONS} dimensions, not {dimensions}")
        self._space = EmbeddingSpace(model_id=model_id, dim=dimensions if self._v2 else 1536)
        self._region, self._endpoint_url = region, endpoint_url
        self._client = client

    @property
    def space(self) -> EmbeddingSpace:
        return self._space

    def _bedrock(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("bedrock-runtime", region_name=self._region, endpoint_url=self._endpoint_url)
        return self._client

    def request_body(self, text: str) -> dict[str, Any]:
        body: dict[str, Any] = {"inputText": text[:_MAX_INPUT_CHARS] or " "}
        if self._v2:
            body.update(dimensions=self._space.dim, normalize=True)
        return body

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np
        from botocore.exceptions import BotoCoreError, ClientError

        out = np.zeros((len(texts), self._space.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            try:
                response = self._bedrock().invoke_model(
                    modelId=self._space.model_id,
                    body=json.dumps(self.request_body(text)),
                    contentType="application/json",
                    accept="application/json",
                )
            except (BotoCoreError, ClientError) as exc:
                raise Unavailable(f"Bedrock embeddings failed: {exc.__class__.__name__}") from exc
            vector = np.asarray(json.loads(response["body"].read())["embedding"], dtype=np.float32)
            if vector.shape != (self._space.dim,):
                raise Unavailable(f"Bedrock returned {vector.shape[0]} dims, expected {self._space.dim}")
            out[row] = vector / max(float(np.linalg.norm(vector)), 1e-12)
        return out

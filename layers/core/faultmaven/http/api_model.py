"""The base of every request and response model of the HTTP API.

Pydantic builds a model's validator and serializer when its class is made, and a function's app defines dozens of
models at import while one request uses a few: `defer_build` builds each on its first use instead, so a Lambda's
cold start pays only for the models its first request needs.
"""

from __future__ import annotations

import warnings

from pydantic import BaseModel, ConfigDict
from pydantic.warnings import UnsupportedFieldAttributeWarning

# FastAPI wraps each model in an adapter whose field metadata (a body's alias) pydantic calls unused; FastAPI silences
# that warning while it builds the adapter, which a deferred model now does later, on its first request.
warnings.filterwarnings("ignore", category=UnsupportedFieldAttributeWarning)


class ApiModel(BaseModel):
    model_config = ConfigDict(defer_build=True)

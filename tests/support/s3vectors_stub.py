"""An in-process Amazon S3 Vectors behind a real boto3 client, for tests (moto stores vectors but cannot query them).

`stub_client()` returns a genuine `boto3.client("s3vectors")` whose HTTP requests are answered here instead of
sent: botocore serializes every request and parses every response by the service model (the API reference), so
the adapter is tested through the real wire format. On top of botocore's own checks the stub enforces what the
model and the user guide state: the maxima of the model's shapes, topK <= 100, the index dimension, filters only
on filterable keys, full-text queries only on searchable keys, 2 KB of filterable metadata per vector, and
ENHANCED mode (filters applied before ranking). Ranking: exact cosine distance, and Okapi BM25 over lowercase
word tokens — the service's own analyzer and ANN differ, so scores are not the service's, only their shapes.
"""

from __future__ import annotations

import io
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import numpy as np
from botocore.awsrequest import AWSResponse

MAX_TOP_K = 100
MAX_FILTERABLE_METADATA_BYTES = 2048


class StubError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class StubIndex:
    dimension: int
    metric: str
    non_filterable: set[str]
    searchable: set[str]
    vectors: dict[str, tuple[np.ndarray, dict[str, Any]]] = field(default_factory=dict)


class _Raw(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


class S3VectorsStub:
    """The service's state: indexes by (bucket, name). Every call is also recorded as (operation, request body)."""

    def __init__(self) -> None:
        self.indexes: dict[tuple[str, str], StubIndex] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.RLock()
        self._shapes = _service_model()

    def attach(self, client: Any) -> Any:
        client.meta.events.register("before-send.s3vectors", self._answer)
        return client

    # -- transport -----------------------------------------------------------------------------------------------

    def handle(self, operation: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        """(status, JSON payload, headers) of one operation, as the service's rest-json protocol answers it."""
        with self._lock:
            self.calls.append((operation, body))
            try:
                _check_maxima(body, self._shapes.operation_model(operation).input_shape, operation)
                handler: Callable[[dict[str, Any]], dict[str, Any]] = getattr(self, f"_{_snake(operation)}")
                return 200, handler(body), {}
            except StubError as exc:
                return exc.status, {"message": exc.message}, {"x-amzn-ErrorType": exc.code}

    def _answer(self, request: Any, **_: Any) -> AWSResponse:
        operation = request.url.rstrip("/").rsplit("/", 1)[-1]
        status, payload, headers = self.handle(operation, json.loads(request.body or b"{}"))
        raw = json.dumps(payload).encode()
        return AWSResponse(request.url, status, {"content-type": "application/json", **headers}, _Raw(raw))

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        """The stub over real HTTP on 127.0.0.1 (a free port, a daemon thread), for processes that are not this one:
        (the server, to shut down; its URL, for `FM_S3VECTORS_ENDPOINT_URL`)."""
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                status, payload, headers = stub.handle(self.path.strip("/").split("?")[0],
                                                       json.loads(self.rfile.read(length) or b"{}"))
                data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"

    # -- operations ----------------------------------------------------------------------------------------------

    def _create_index(self, body: dict[str, Any]) -> dict[str, Any]:
        key = (body["vectorBucketName"], body["indexName"])
        if key in self.indexes:
            raise StubError("ConflictException", "index already exists", 409)
        config = body.get("metadataConfiguration", {})
        self.indexes[key] = StubIndex(
            body["dimension"], body["distanceMetric"], set(config.get("nonFilterableMetadataKeys", [])),
            {c["metadataKey"] for c in config.get("textSearchConfigurations", [])})
        return {"indexArn": f"arn:aws:s3vectors:us-east-1:000000000000:bucket/{key[0]}/index/{key[1]}"}

    def _get_index(self, body: dict[str, Any]) -> dict[str, Any]:
        index = self._index(body)
        searchable = [{"metadataKey": key, "status": "ACTIVE"} for key in sorted(index.searchable)]
        config = {"nonFilterableMetadataKeys": sorted(index.non_filterable), "textSearchConfigurations": searchable}
        return {"index": {"vectorBucketName": body["vectorBucketName"], "indexName": body["indexName"],
                          "dataType": "float32", "dimension": index.dimension, "distanceMetric": index.metric,
                          "indexMode": "ENHANCED", "creationTime": 0, "metadataConfiguration": config}}

    def _update_metadata_configuration(self, body: dict[str, Any]) -> dict[str, Any]:
        index = self._index(body)
        if ("add" in body) == ("delete" in body):
            raise StubError("ValidationException", "specify either add or delete, but not both")
        keys = {c["metadataKey"] for c in (body.get("add") or body["delete"])["textSearchConfigurations"]}
        index.searchable = index.searchable | keys if "add" in body else index.searchable - keys
        return {}

    def _delete_index(self, body: dict[str, Any]) -> dict[str, Any]:
        self._index(body)
        del self.indexes[(body["vectorBucketName"], body["indexName"])]
        return {}

    def create_declared_index(self, bucket: str, name: str, dimension: int, non_filterable: list[str]) -> None:
        """An index as CloudFormation declares it: no full-text search configuration."""
        self.indexes[(bucket, name)] = StubIndex(dimension, "cosine", set(non_filterable), set())

    def _put_vectors(self, body: dict[str, Any]) -> dict[str, Any]:
        index = self._index(body)
        for item in body["vectors"]:
            data = np.asarray(item["data"]["float32"], np.float32)
            if data.shape != (index.dimension,):
                raise StubError("ValidationException", f"vector of {data.size} dims in a {index.dimension}-dim index")
            meta = item.get("metadata", {})
            filterable = {k: v for k, v in meta.items() if k not in index.non_filterable}
            if len(json.dumps(filterable).encode()) > MAX_FILTERABLE_METADATA_BYTES:
                raise StubError("ValidationException", "filterable metadata exceeds 2 KB")
            index.vectors[item["key"]] = (data, meta)
        return {}

    def _get_vectors(self, body: dict[str, Any]) -> dict[str, Any]:
        index = self._index(body)
        return {"vectors": [self._out(k, index, body) for k in body["keys"] if k in index.vectors]}

    def _delete_vectors(self, body: dict[str, Any]) -> dict[str, Any]:
        index = self._index(body)
        for key in body["keys"]:
            index.vectors.pop(key, None)
        return {}

    def _list_vectors(self, body: dict[str, Any]) -> dict[str, Any]:
        index = self._index(body)
        keys = sorted(index.vectors)
        start = int(body.get("nextToken", "0"))
        end = start + body.get("maxResults", 500)
        page = {"vectors": [self._out(k, index, body) for k in keys[start:end]]}
        return {**page, "nextToken": str(end)} if end < len(keys) else page

    def _query_vectors(self, body: dict[str, Any]) -> dict[str, Any]:
        index = self._index(body)
        if body["topK"] > MAX_TOP_K:
            raise StubError("ValidationException", f"topK must be at most {MAX_TOP_K}")
        where = body.get("filter")
        if where is not None:
            _check_filter_keys(where, index.non_filterable)
        visible = [k for k, (_, meta) in index.vectors.items() if where is None or _matches(meta, where)]
        texts, vector = body.get("queryTexts"), body.get("queryVector")
        if texts and vector:
            raise NotImplementedError("the stub does not emulate server-side hybrid queries")
        if texts:
            [query] = texts
            if query["metadataKey"] not in index.searchable:
                raise StubError("ValidationException", f"{query['metadataKey']} is not a searchable metadata key")
            ranked = _bm25(query["text"], {k: str(index.vectors[k][1].get(query["metadataKey"], "")) for k in visible})
            extra = [{"scores": {"bm25Scores": [{"metadataKey": query["metadataKey"], "score": s}]}} for _, s in ranked]
        elif vector:
            q = np.asarray(vector["float32"], np.float32)
            if q.shape != (index.dimension,):
                raise StubError("ValidationException", f"query of {q.size} dims in a {index.dimension}-dim index")
            distance = {k: _cosine_distance(index.vectors[k][0], q) for k in visible}
            ranked = sorted(distance.items(), key=lambda kv: kv[1])
            extra = [{"distance": d} if body.get("returnDistance") else {} for _, d in ranked]
        else:
            raise StubError("ValidationException", "a request must include queryVector, queryTexts, or both")
        start = int(body.get("nextToken", "0"))
        end = start + body["topK"]
        results = [{**self._out(key, index, body), **more}
                   for (key, _), more in list(zip(ranked, extra, strict=True))[start:end]]
        page = {"vectors": results, "distanceMetric": index.metric}
        return {**page, "nextToken": str(end)} if end < len(ranked) else page

    # -- helpers -------------------------------------------------------------------------------------------------

    def _index(self, body: dict[str, Any]) -> StubIndex:
        try:
            return self.indexes[(body["vectorBucketName"], body["indexName"])]
        except KeyError:
            raise StubError("NotFoundException", "the specified index could not be found", 404) from None

    @staticmethod
    def _out(key: str, index: StubIndex, body: dict[str, Any]) -> dict[str, Any]:
        data, meta = index.vectors[key]
        out: dict[str, Any] = {"key": key}
        if body.get("returnData"):
            out["data"] = {"float32": data.tolist()}
        if body.get("returnMetadata"):
            out["metadata"] = meta
        return out


def stub_client() -> tuple[Any, S3VectorsStub]:
    """A real boto3 S3 Vectors client answered by a fresh stub (no network, dummy credentials)."""
    client = boto3.client("s3vectors", region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    stub = S3VectorsStub()
    return stub.attach(client), stub


def _service_model() -> Any:
    from botocore.session import get_session

    return get_session().get_service_model("s3vectors")


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _check_maxima(value: Any, shape: Any, where: str) -> None:
    """botocore checks minima client-side; the service also rejects values above the model's maxima."""
    limit = shape.metadata.get("max")
    if limit is not None and (
        (shape.type_name in ("list", "string") and len(value) > limit)
        or (shape.type_name in ("integer", "long") and value > limit)
    ):
        raise StubError("ValidationException", f"{where} exceeds its maximum of {limit}")
    if shape.type_name == "structure" and not shape.metadata.get("document") and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                _check_maxima(value[name], member, f"{where}.{name}")
    elif shape.type_name == "list":
        for item in value:
            _check_maxima(item, shape.member, where)


def _check_filter_keys(where: dict[str, Any], non_filterable: set[str]) -> None:
    for key, condition in where.items():
        if key in ("$and", "$or"):
            for part in condition:
                _check_filter_keys(part, non_filterable)
        elif key in non_filterable:
            raise StubError("ValidationException", f"{key} is a non-filterable metadata key")


def _matches(meta: dict[str, Any], where: dict[str, Any]) -> bool:
    """The documented operators the adapters use: $eq $ne $in $nin $exists $and $or (and bare equality)."""
    for key, condition in where.items():
        if key == "$and":
            ok = all(_matches(meta, part) for part in condition)
        elif key == "$or":
            ok = any(_matches(meta, part) for part in condition)
        elif not isinstance(condition, dict):
            ok = meta.get(key) == condition
        else:
            [(op, operand)] = condition.items()
            value = meta.get(key)
            if op == "$eq":
                ok = value == operand
            elif op == "$ne":
                ok = value != operand
            elif op == "$in":
                ok = value in operand
            elif op == "$nin":
                ok = value not in operand
            elif op == "$exists":
                ok = (key in meta) == operand
            else:
                raise StubError("ValidationException", f"operator {op} is not emulated by the stub")
        if not ok:
            return False
    return True


def _cosine_distance(a: np.ndarray, b: np.ndarray) -> float:
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b)) or 1.0
    return 1.0 - float(a @ b) / denominator


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _bm25(query: str, documents: dict[str, str], k1: float = 1.2, b: float = 0.75) -> list[tuple[str, float]]:
    """Okapi BM25 of the documents holding at least one query term, best first."""
    terms = set(_tokens(query))
    bags = {key: Counter(_tokens(text)) for key, text in documents.items()}
    if not terms or not bags:
        return []
    average = sum(sum(bag.values()) for bag in bags.values()) / len(bags) or 1.0
    frequency = {t: sum(1 for bag in bags.values() if t in bag) for t in terms}
    scores = {}
    for key, bag in bags.items():
        length = sum(bag.values())
        score = sum(
            math.log(1 + (len(bags) - frequency[t] + 0.5) / (frequency[t] + 0.5))
            * bag[t] * (k1 + 1) / (bag[t] + k1 * (1 - b + b * length / average))
            for t in terms if t in bag
        )
        if score > 0:
            scores[key] = score
    return sorted(scores.items(), key=lambda kv: -kv[1])

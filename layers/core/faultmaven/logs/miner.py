"""A Drain-style template miner: a fixed-depth prefix tree routes a token sequence to a few candidate
templates, and the most similar one above a threshold absorbs it (differing positions become `<*>`).

After the pass, `merge_varying` folds templates that differ in one word only, when at least `min_variants` of
them do (a program name or a variable word the masker did not recognise); two or three variants stay apart, since
`stored as bytes` / `stored as values` are different events.

Memory is bounded: at most `max_clusters` templates; once full, a line that matches none joins a per-length
overflow template instead of opening a new one.
"""

from __future__ import annotations

from faultmaven.logs.masking import WILDCARD

_SEEN_CACHE_SIZE = 100_000
_MIN_SHARED = 3  # constant words a template must keep besides the folded one


class Cluster:
    __slots__ = ("cluster_id", "count", "tokens")

    def __init__(self, cluster_id: int, tokens: list[str]) -> None:
        self.cluster_id = cluster_id
        self.tokens = tokens
        self.count = 0

    @property
    def template(self) -> str:
        return " ".join(self.tokens)


class TemplateMiner:
    def __init__(
        self,
        *,
        depth: int = 4,
        similarity: float = 0.5,
        masked_alike: bool = False,
        max_children: int = 100,
        max_clusters: int = 5000,
    ) -> None:
        self._prefix = max(depth - 2, 1)
        self._similarity = similarity
        # Drain counts a template's `<*>` as no match; with masked_alike a value the masker already replaced
        # matches it (lines that are mostly values, such as access-log lines, then still group).
        self._masked_alike = masked_alike
        self._max_children = max_children
        self._max_clusters = max_clusters
        self._root: dict[int, dict] = {}
        self._overflow: dict[int, Cluster] = {}
        self.clusters: list[Cluster] = []
        self._seen: dict[tuple[str, ...], Cluster] = {}

    def add(self, tokens: list[str]) -> Cluster:
        """Assign a token sequence to a template (creating or generalising one) and return it."""
        key = tuple(tokens)
        cluster = self._seen.get(key)
        if cluster is not None:  # the same masked message again: same template, nothing to generalise
            cluster.count += 1
            return cluster
        cluster = self._match(tokens)
        if len(self._seen) >= _SEEN_CACHE_SIZE:
            self._seen.clear()
        self._seen[key] = cluster
        return cluster

    def merge_varying(self, min_variants: int) -> dict[int, int]:
        """Fold templates of equal length that differ in a single position, when `min_variants` or more share the
        rest; returns {absorbed cluster id: surviving cluster id} (empty when nothing merged or min_variants < 2)."""
        if min_variants < 2:
            return {}
        merged: dict[int, int] = {}
        alive = [c for c in self.clusters if c.cluster_id <= self._max_clusters]
        by_length: dict[int, list[Cluster]] = {}
        for cluster in alive:
            by_length.setdefault(len(cluster.tokens), []).append(cluster)
        for clusters in by_length.values():
            if len(clusters) < min_variants:
                continue
            for pos in range(len(clusters[0].tokens)):
                groups: dict[tuple[str, ...], list[Cluster]] = {}
                for cluster in clusters:
                    if cluster.cluster_id in merged:
                        continue
                    key = tuple(cluster.tokens[:pos]) + tuple(cluster.tokens[pos + 1 :])
                    groups.setdefault(key, []).append(cluster)
                for group in groups.values():
                    if len(group) < min_variants or sum(t != WILDCARD for t in group[0].tokens) <= _MIN_SHARED:
                        continue  # short messages (`running`, `boot (command <*>)`) share too little to fold
                    keep = max(group, key=lambda c: c.count)
                    keep.tokens[pos] = WILDCARD
                    for cluster in group:
                        if cluster is not keep:
                            keep.count += cluster.count
                            merged[cluster.cluster_id] = keep.cluster_id
        if merged:
            self.clusters = [c for c in self.clusters if c.cluster_id not in merged]
        return merged

    def _match(self, tokens: list[str]) -> Cluster:
        leaf = self._leaf(tokens)
        cluster = self._best_match(leaf, tokens)
        if cluster is None:
            if len(self.clusters) >= self._max_clusters:
                cluster = self._overflow_cluster(len(tokens))
            else:
                cluster = Cluster(len(self.clusters) + 1, list(tokens))
                self.clusters.append(cluster)
                leaf.append(cluster)
        else:
            template = cluster.tokens
            for i, token in enumerate(tokens):
                if template[i] != token and template[i] != WILDCARD:
                    template[i] = WILDCARD
        cluster.count += 1
        return cluster

    def _leaf(self, tokens: list[str]) -> list[Cluster]:
        node = self._root.setdefault(len(tokens), {})
        for token in tokens[: self._prefix]:
            # masked tokens held values, and a path is one: variables route together
            key = WILDCARD if WILDCARD in token or "/" in token else token
            child = node.get(key)
            if child is None:
                if len(node) >= self._max_children:
                    key = WILDCARD
                    child = node.get(key)
                if child is None:
                    child = node[key] = {}
            node = child
        return node.setdefault("", [])  # "" never is a token, so it cannot clash with a child key

    def _best_match(self, leaf: list[Cluster], tokens: list[str]) -> Cluster | None:
        best: Cluster | None = None
        best_sim, best_params = -1.0, -1
        length = len(tokens) or 1
        masked_alike = self._masked_alike
        for cluster in leaf:
            same = params = 0
            for t, token in zip(cluster.tokens, tokens, strict=True):
                if t == WILDCARD:
                    params += 1
                    same += masked_alike and token == WILDCARD
                elif t == token:
                    same += 1
            sim = same / length
            if sim > best_sim or (sim == best_sim and params > best_params):
                best, best_sim, best_params = cluster, sim, params
        if best is not None and (best_sim >= self._similarity or not tokens):
            return best
        return None

    def _overflow_cluster(self, length: int) -> Cluster:
        cluster = self._overflow.get(length)
        if cluster is None:
            cluster = Cluster(self._max_clusters + len(self._overflow) + 1, [WILDCARD] * length)
            self._overflow[length] = cluster
            self.clusters.append(cluster)
        return cluster

"""The few settings of template mining, in one place: the product uses `DEFAULT`; the benchmark picks them per
held-out fold from the other systems (leave-one-system-out), so no figure rests on settings tuned on its system."""

from __future__ import annotations

from dataclasses import dataclass

from faultmaven.logs.masking import Masker
from faultmaven.logs.miner import TemplateMiner


@dataclass(frozen=True, slots=True)
class MiningOptions:
    depth: int = 4  # Drain's prefix-tree depth
    similarity: float = 0.6  # share of equal tokens for a line to join a template
    masked_alike: bool = True  # a masked value counts as matching a template's `<*>`
    min_variants: int = 3  # templates differing in one word that fold into one (0: never)
    paths: bool = True  # mask filesystem paths
    hosts: bool = True  # mask dotted host names
    quoted: bool = True  # mask quoted strings

    def masker(self) -> Masker:
        return Masker(paths=self.paths, hosts=self.hosts, quoted=self.quoted)

    def miner(self) -> TemplateMiner:
        return TemplateMiner(depth=self.depth, similarity=self.similarity, masked_alike=self.masked_alike)


DEFAULT = MiningOptions()

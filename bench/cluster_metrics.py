"""Clustering metrics used by the story benchmarks: pairwise and B-cubed precision/recall/F1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scores:
    pair_p: float
    pair_r: float
    pair_f: float
    b3_p: float
    b3_r: float
    b3_f: float
    clusters: int

    def row(self) -> str:
        return (
            f"pairwise P {self.pair_p:.3f} R {self.pair_r:.3f} F1 {self.pair_f:.3f} | "
            f"B3 P {self.b3_p:.3f} R {self.b3_r:.3f} F1 {self.b3_f:.3f} | clusters {self.clusters}"
        )


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def score(gold: Mapping[str, str], predicted: Mapping[str, str]) -> Scores:
    """Pairwise (Miranda et al. 2018: over all document pairs) and B-cubed scores."""
    ids = [i for i in gold if i in predicted]
    joint = Counter((gold[i], predicted[i]) for i in ids)
    g = Counter(gold[i] for i in ids)
    s = Counter(predicted[i] for i in ids)
    tp = sum(_pairs(c) for c in joint.values())
    pred_pairs = sum(_pairs(c) for c in s.values())
    gold_pairs = sum(_pairs(c) for c in g.values())
    pp = tp / pred_pairs if pred_pairs else 1.0
    pr = tp / gold_pairs if gold_pairs else 1.0
    # B-cubed: per item, the share of its predicted cluster that shares its gold label and back.
    n = len(ids)
    b3p = sum(c * c / s[pc] for (_, pc), c in joint.items()) / n if n else 0.0
    b3r = sum(c * c / g[gc] for (gc, _), c in joint.items()) / n if n else 0.0
    return Scores(pp, pr, _f1(pp, pr), b3p, b3r, _f1(b3p, b3r), len(s))

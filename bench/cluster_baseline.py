"""Reference clusterer: plain online TF-IDF centroid clustering with one cosine threshold.

Deliberately simple (no entities, no title weighting, no index): the point of comparison the
issue quotes (pairwise F1 about 0.85 on the ECB+ development set, full text).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[^\W\d_]+|\d+")
_STOP = frozenset(
    str.split(
        "a an the and or but of to in on at for with by from as is are was were be been it its "
        "this "
        "that these those he she they we i you his her their our said says will would has have had "
        "not no do does did so if than then there which who whom what when where why how"
    )
)


def tfidf_centroid(
    docs: Iterable[tuple[str, str]],
    threshold: float = 0.2,
    *,
    query_terms: int | None = None,
    posting_cap: int = 32,
) -> dict[str, str]:
    """Cluster (id, text) pairs in order; return id -> cluster label.

    By default every cluster is scored (the reference quoted by the issue). With
    ``query_terms`` only clusters indexed under one of the document's ``query_terms`` strongest
    terms are (the usual inverted-index shortcut that makes it run at stream sizes: the speed
    baseline of ``cluster_speed.py``); each cluster keeps its ``posting_cap`` latest entries.
    """
    df: Counter[str] = Counter()
    centroids: list[dict[str, float]] = []
    index: dict[str, list[int]] = {}
    out: dict[str, str] = {}
    for n, (doc_id, text) in enumerate(docs, start=1):
        counts = Counter(w for w in _WORD.findall(text.lower()) if w not in _STOP)
        df.update(counts.keys())
        vec = {t: (1 + math.log(c)) * math.log((n + 1) / (df[t] + 0.5)) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vec = {t: v / norm for t, v in vec.items()}
        if query_terms is None:
            top: list[str] = []
            candidates: Iterable[int] = range(len(centroids))
        else:
            top = sorted(vec, key=vec.__getitem__, reverse=True)[:query_terms]
            candidates = sorted({i for t in top for i in index.get(t, ())})
        best, best_sim = -1, -1.0
        for i in candidates:
            cen = centroids[i]
            cn = math.sqrt(sum(v * v for v in cen.values())) or 1.0
            sim = sum(v * cen.get(t, 0.0) for t, v in vec.items()) / cn
            if sim > best_sim:
                best, best_sim = i, sim
        if best >= 0 and best_sim >= threshold:
            cen = centroids[best]
            for t, v in vec.items():
                cen[t] = cen.get(t, 0.0) + v
        else:
            best = len(centroids)
            centroids.append(dict(vec))
        for t in top:
            posting = index.setdefault(t, [])
            if best not in posting:
                posting.append(best)
                del posting[:-posting_cap]
        out[doc_id] = f"b{best}"
    return out

"""Copy level: are syndicated copies found when outlets rewrite the headline or carry only the lead?

    .venv/bin/python bench/copy_quality.py --data ../shared/data/ecbplus-dev.jsonl

For every document of a labelled set, a second outlet carries its body word for word (all of it,
or only its first 1-3 lines, as summary feeds do) under the headline of another report of the
same event; the engine (in-memory store) sees the original, then the copy. Recall is the share
of copies marked ``copy_of`` the original. False copies: the whole set in file order, each
document under its own outlet; every ``copy_of`` between two different events is one. Both are
printed for the engine with outlets known (as the pipeline always knows them) and unknown.
"""

from __future__ import annotations

import argparse
import random
import sys

from cluster_quality import Row, data_file, load

from storywire.stories import Doc, MemoryStoryStore, StoryEngine


def lead(text: str, lines: int | None) -> str:
    return text if lines is None else "\n".join(text.split("\n")[:lines])


def copy_recall(rows: list[Row], lines: int | None, *, outlets: bool, seed: int = 1) -> float:
    rng = random.Random(seed)
    by_event: dict[str, list[Row]] = {}
    for r in rows:
        by_event.setdefault(str(r["cluster"]), []).append(r)
    found = total = 0
    for r in rows:
        others = [o for o in by_event[str(r["cluster"])] if o["title"] != r["title"]]
        if not others:
            continue
        body = lead(r["text"], lines)
        engine = StoryEngine(MemoryStoryStore(), clock=lambda: 0.0)
        a = Doc("original", r["title"], body, None, "a.example" if outlets else None)
        b = Doc("copy", rng.choice(others)["title"], body, None, "b.example" if outlets else None)
        engine.assign(a)
        total += 1
        found += engine.assign(b).copy_of == "original"
    return found / total if total else 0.0


def false_copies(rows: list[Row], *, outlets: bool) -> tuple[int, int]:
    engine = StoryEngine(MemoryStoryStore(), clock=lambda: 0.0)
    event = {r["id"]: str(r["cluster"]) for r in rows}
    docs = [
        Doc(r["id"], r["title"], r["text"], None, f"outlet-{r['id']}" if outlets else None)
        for r in rows
    ]
    copies = [(d.id, a.copy_of) for d, a in zip(docs, engine.assign_many(docs), strict=True)]
    marked = [(d, c) for d, c in copies if c is not None]
    return sum(event[d] != event[c] for d, c in marked), len(marked)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=data_file, default="../shared/data/ecbplus-dev.jsonl")
    args = parser.parse_args(argv)
    rows = load(args.data)
    for outlets in (True, False):
        label = "outlets known  " if outlets else "outlets unknown"
        cells = [
            f"{name} {copy_recall(rows, lines, outlets=outlets):.2f}"
            for name, lines in (("full body", None), ("3 lines", 3), ("2", 2), ("1", 1))
        ]
        wrong, marked = false_copies(rows, outlets=outlets)
        print(
            f"{label}: copy recall under another headline: {', '.join(cells)}; "
            f"false copies {wrong} of {marked} marked"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

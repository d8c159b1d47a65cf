"""JSON Schemas (draft 2020-12) generated from the typed event data, and the freeze on old versions.

``python -m storywire.events.schemas`` writes ``schemas/<event type>.json`` for every type in
``DATA_MODELS`` plus the envelope schema, and records each file's SHA-256 in ``schemas/FROZEN``.
A file listed there is never rewritten: a breaking change to a model must become a new type
version (``...v2``) with its own file, because consumers pinned to ``v1`` read the old one.
``--check`` exits non-zero when the committed files differ from what the models generate.

A schema's ``$id`` is the URI the envelope's ``dataschema`` carries, ``urn:storywire:schemas:``
followed by the event type; the file name is that type plus ``.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from storywire.events.envelope import EVENT_SOURCE, SCHEMA_BASE, SPEC_VERSION
from storywire.events.models import DATA_MODELS, Doc, Format

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE = "storywire.envelope.v1"
FROZEN = "FROZEN"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "schemas"
# Format "date-time" is only checked by validators with an RFC 3339 plug-in; the pattern always is.
RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
}


class SchemaError(RuntimeError):
    """A type the generator cannot express, or an attempt to rewrite a frozen schema."""


def schema_uri(event_type: str) -> str:
    return SCHEMA_BASE + event_type


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0911 - flat dispatch
    origin = get_origin(tp)
    if origin is Annotated:
        base, *extras = get_args(tp)
        out = dict(_type_schema(base, defs))
        for extra in extras:
            if isinstance(extra, Doc):
                out["description"] = str(extra)
            elif isinstance(extra, Format):
                out["format"] = str(extra)
                if extra == "date-time":
                    out["pattern"] = RFC3339
        return out
    if origin in (Union, types.UnionType):
        options = [_type_schema(a, defs) for a in get_args(tp)]
        if all(set(o) == {"type"} for o in options):
            return {"type": [o["type"] for o in options]}
        return {"anyOf": options}
    if origin in (list, tuple):
        return {"type": "array", "items": _type_schema(get_args(tp)[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(get_args(tp)[1], defs)}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if tp.__name__ not in defs:
            defs[tp.__name__] = {}  # reserve first: a recursive model refers to itself
            defs[tp.__name__] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    if tp in _SCALARS:
        return dict(_SCALARS[tp])
    raise SchemaError(f"no JSON Schema for {tp!r}")


def _object_schema(model: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = get_type_hints(model, include_extras=True)
    names = [f.name for f in dataclasses.fields(model)]
    out: dict[str, Any] = {"type": "object"}
    if model.__doc__ and not model.__doc__.startswith(model.__name__ + "("):
        out["description"] = " ".join(model.__doc__.split())
    out["properties"] = {name: _type_schema(hints[name], defs) for name in names}
    # asdict() writes every field, None included, so every field is required (maybe null).
    out["required"] = names
    out["additionalProperties"] = False
    return out


def data_schema(event_type: str) -> dict[str, Any]:
    """The schema of ``data`` in events of ``event_type``, from its dataclass."""
    model = DATA_MODELS[event_type]
    defs: dict[str, Any] = {}
    body = _object_schema(model, defs)
    doc: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": schema_uri(event_type),
        "title": event_type,
        **body,
    }
    if defs:
        doc["$defs"] = dict(sorted(defs.items()))
    return doc


def envelope_schema() -> dict[str, Any]:
    """The CloudEvents 1.0 structured envelope of every storywire event, any type or version."""
    string = {"type": "string", "minLength": 1}
    return {
        "$schema": DRAFT,
        "$id": schema_uri(ENVELOPE),
        "title": "storywire CloudEvent envelope",
        "type": "object",
        "properties": {
            "specversion": {"const": SPEC_VERSION},
            "id": {**string, "pattern": "^ev_[0-9a-f]{32}$"},
            "source": {"const": EVENT_SOURCE},
            "type": {**string, "pattern": r"^storywire\.[a-z_]+\.[a-z_]+\.v[0-9]+$"},
            "subject": string,
            "time": {"type": "string", "format": "date-time", "pattern": RFC3339},
            "datacontenttype": {"const": "application/json"},
            "dataschema": {**string, "pattern": "^" + SCHEMA_BASE.replace(".", r"\.")},
            "data": {"type": "object"},
        },
        "required": [
            "specversion",
            "id",
            "source",
            "type",
            "subject",
            "time",
            "datacontenttype",
            "dataschema",
            "data",
        ],
        "additionalProperties": False,
    }


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def generated() -> dict[str, str]:
    """File name → text of every schema the models define now."""
    files = {f"{t}.json": render(data_schema(t)) for t in DATA_MODELS}
    files[f"{ENVELOPE}.json"] = render(envelope_schema())
    return dict(sorted(files.items()))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def read_frozen(directory: Path) -> dict[str, str]:
    """File name → SHA-256 of every published (and so immutable) schema."""
    path = directory / FROZEN
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split()
            out[name] = digest
    return out


def write(directory: Path) -> list[str]:
    """Write new schema files and freeze them; refuse to change a frozen one. Returns written."""
    directory.mkdir(parents=True, exist_ok=True)
    frozen = read_frozen(directory)
    files = generated()
    changed = [
        name for name, text in files.items() if name in frozen and sha256(text) != frozen[name]
    ]
    if changed:
        raise SchemaError(
            f"frozen schemas would change: {', '.join(changed)}. Published versions are never "
            "edited: give the changed model a new event type version (v2) instead."
        )
    written = []
    for name, text in files.items():
        path = directory / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(name)
        frozen[name] = sha256(text)
    lines = ["# SHA-256 of every published schema; these files are never edited (add a vN+1)."]
    lines += [f"{digest}  {name}" for name, digest in sorted(frozen.items())]
    (directory / FROZEN).write_text("\n".join(lines) + "\n")
    return written


def drift(directory: Path) -> list[str]:
    """Problems between the committed files and the models: empty when they agree."""
    problems = []
    frozen = read_frozen(directory)
    for name, text in generated().items():
        path = directory / name
        if not path.exists():
            problems.append(f"{name}: missing (run python -m storywire.events.schemas)")
        elif path.read_text() != text:
            problems.append(f"{name}: differs from what the models generate")
        if name not in frozen:
            problems.append(f"{name}: not in {FROZEN}")
    for name, digest in frozen.items():
        path = directory / name
        if not path.exists() or sha256(path.read_text()) != digest:
            problems.append(f"{name}: frozen file edited or removed")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storywire.events.schemas", description=__doc__)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="schemas directory")
    parser.add_argument("--check", action="store_true", help="only report drift; exit 1 if any")
    args = parser.parse_args(argv)
    if args.check:
        problems = drift(args.dir)
        for problem in problems:
            sys.stderr.write(problem + "\n")
        return 1 if problems else 0
    try:
        written = write(args.dir)
    except SchemaError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    for name in written:
        sys.stdout.write(f"wrote {args.dir / name}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

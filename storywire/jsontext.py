"""JSON as real producers write it: read strictly and fast (orjson), except for the slips that
would otherwise cost a whole document, which are read the way browsers read them."""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

import orjson

_BOM = b"\xef\xbb\xbf"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Decoded(NamedTuple):
    value: Any
    mended: bool  # some text was read as U+FFFD


def loads(data: bytes, *, bad_bytes: str | None = None) -> Decoded:
    """``data`` decoded, less a leading UTF-8 byte order mark (Windows tools write one), with
    lone surrogate escapes ("\\ud83d": a JavaScript producer cut a string inside an emoji) read
    as U+FFFD; ``bad_bytes``: also bytes that are not UTF-8, read by that codec error handler
    ("replace": U+FFFD). ValueError for anything else."""
    data = data.removeprefix(_BOM)
    try:
        return Decoded(orjson.loads(data), False)
    except orjson.JSONDecodeError as exc:
        # orjson names surrogates both for escapes and for bytes that are not UTF-8.
        if "surrogate" not in str(exc):
            raise
        refused = exc
    try:
        text = data.decode()
    except UnicodeDecodeError:
        if bad_bytes is None:
            raise refused from None
        text = data.decode(errors=bad_bytes)
    try:
        # The stdlib decoder takes lone surrogate escapes (orjson takes none); its recursion
        # limit still stops "[[[[…".
        return Decoded(_replace_lone_surrogates(json.loads(text)), True)
    except RecursionError:
        raise ValueError("JSON nested too deep") from None


def _replace_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_replace_lone_surrogates(k): _replace_lone_surrogates(v) for k, v in value.items()}
    return value

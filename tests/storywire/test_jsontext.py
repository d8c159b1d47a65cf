"""jsontext.loads: orjson's strictness, but for the slips that would lose a whole document."""

from __future__ import annotations

import pytest

from storywire.jsontext import Decoded, loads


def test_clean_json_is_read_as_is() -> None:
    assert loads(b'{"a": ["\\u00e9", 1]}') == Decoded({"a": ["\u00e9", 1]}, False)


def test_a_leading_byte_order_mark_is_dropped_unremarked() -> None:
    assert loads(b'\xef\xbb\xbf{"a": 1}') == Decoded({"a": 1}, False)


def test_lone_surrogate_escapes_are_replacement_characters_and_pairs_stay_whole() -> None:
    value, mended = loads(b'{"t": "cut \\ud83d", "k\\udc00": "ok \\ud83d\\ude00"}')
    assert value == {"t": "cut \ufffd", "k\ufffd": "ok \U0001f600"}
    assert mended


def test_bytes_that_are_not_utf8_are_refused_unless_asked_for() -> None:
    with pytest.raises(ValueError, match="UTF-8"):
        loads(b'{"t": "caf\xe9"}')
    assert loads(b'{"t": "caf\xe9 \\ud83d"}', bad_bytes="replace") == Decoded(
        {"t": "caf\ufffd \ufffd"}, True
    )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (b"{not json", "expected a string key"),
        (b'{"t": "\\ud83d"', "delimiter"),  # the stdlib's reason, in the fallback
        (b"", "empty document"),
    ],
)
def test_what_is_not_json_is_a_value_error(bad: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        loads(bad, bad_bytes="replace")


def test_nesting_past_the_limit_is_a_value_error_in_the_fallback_too() -> None:
    deep = b'{"x": "\\ud83d", "y": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(ValueError, match="nested too deep"):
        loads(deep)

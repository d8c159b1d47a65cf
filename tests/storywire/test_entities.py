"""Display entities: names as readers spell them, sentence openers and titles left out."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storywire.entities import extract_entities

TEXT = (
    "Ukraine is seeking to resume talks with Russia. President Volodymyr Zelenskyy said many "
    "meetings were held. Rustem Umerov said Turkey and the UAE agreed to revive the Istanbul "
    "protocols. Officials said a swap could come soon; officials in Kyiv hope so. The Secretary "
    "of the National Security and Defence Council spoke."
)


def test_names_multiword_and_ranked() -> None:
    """Multi-word names stay whole, honorifics go, common sentence openers are not names."""
    found = extract_entities("Ukraine pushes to restart prisoner swaps with Russia", TEXT)
    assert found[:2] == ("Ukraine", "Russia")
    assert {"Volodymyr Zelenskyy", "Rustem Umerov", "UAE", "Kyiv"} <= set(found)
    assert not {"Officials", "President", "Secretary", "The"} & set(found)


def test_limit_is_respected() -> None:
    """No more than ``limit`` names come back."""
    assert len(extract_entities("", TEXT, limit=3)) == 3


@given(st.text(), st.text())
def test_never_raises(title: str, text: str) -> None:
    """Any text in, a tuple of non-empty names out."""
    assert all(extract_entities(title, text))

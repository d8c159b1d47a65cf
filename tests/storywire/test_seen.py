"""The seen rule: what a poll's content hash of an entry means against the entry's recent
history, so a feed that alternates between two versions of an entry (a stale replica behind a
CDN) is not announced as updated on every poll, while real edits are forwarded at once."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from storywire.seen import (
    HISTORY,
    Seen,
    SeenRecord,
    decide,
    decode,
    encode,
    sift,
)

HASHES = st.sampled_from(["a1", "b2", "c3", "d4", "e5", "f6"])


@st.composite
def _records(draw: st.DrawFn) -> SeenRecord:
    """Records as the rule leaves them: distinct hashes, a pending revert to an earlier one."""
    hashes = draw(st.lists(HASHES, min_size=1, max_size=HISTORY + 1, unique=True))
    current, earlier = hashes[0], tuple(hashes[1:])
    if earlier and draw(st.booleans()):
        pending = draw(st.sampled_from(earlier))
        return SeenRecord(current, earlier, pending, draw(st.integers(min_value=1, max_value=50)))
    return SeenRecord(current, earlier)


def _play(digests: list[str], confirmations: int = 3) -> list[Seen]:
    """Feed one entry's hashes poll by poll through the rule, storing what it says to store."""
    record: SeenRecord | None = None
    kinds = []
    for digest in digests:
        decision = decide(record, digest, confirmations=confirmations)
        kinds.append(decision.kind)
        record = decision.record or record
    return kinds


def _forwarded(kinds: list[Seen]) -> int:
    return sum(kind.forward for kind in kinds)


def test_each_case_of_the_rule() -> None:
    """New: forwarded; unchanged: nothing; a hash never seen: forwarded at once; a hash the
    entry had before: held until it repeats on 3 polls in a row, then forwarded."""
    assert _play(["a", "a", "b", "c"]) == ["new", "same", "edit", "edit"]
    assert _play(["a", "b", "a", "a", "a", "a"]) == [
        "new", "edit", "held", "held", "revert", "same"
    ]  # fmt: skip
    assert _play(["a", "b", "a", "a", "b", "a", "a", "a"]) == [
        "new", "edit", "held", "held", "same", "held", "held", "revert"
    ]  # fmt: skip


def test_a_new_hash_during_a_held_revert_is_forwarded_at_once_and_ends_the_hold() -> None:
    assert _play(["a", "b", "a", "a", "c", "a"]) == [
        Seen.NEW, Seen.EDIT, Seen.HELD, Seen.HELD, Seen.EDIT, Seen.HELD
    ]  # fmt: skip


def test_a_revert_to_another_earlier_hash_starts_its_own_count() -> None:
    """The count is of one revert: b, c, b, c on four polls is no revert seen 3 times."""
    kinds = _play(["a", "b", "c", "a", "b", "a", "b", "b", "b"])
    assert kinds[3:] == [Seen.HELD, Seen.HELD, Seen.HELD, Seen.HELD, Seen.HELD, Seen.REVERT]


def test_one_confirmation_disables_damping() -> None:
    """STORYWIRE_REVERT_CONFIRMATIONS=1: every change is forwarded, as before damping."""
    assert _forwarded(_play(["a", "b"] * 10, confirmations=1)) == 20


@pytest.mark.parametrize("confirmations", [0, -1])
def test_confirmations_below_one_are_refused(confirmations: int) -> None:
    with pytest.raises(ValueError, match="confirmations"):
        decide(None, "a", confirmations=confirmations)


def test_a_held_revert_records_its_count_and_a_forward_clears_it() -> None:
    held = decide(SeenRecord("b", ("a",)), "a", confirmations=3)
    assert held == (Seen.HELD, SeenRecord("b", ("a",), pending="a", streak=1))
    again = decide(held.record, "a", confirmations=3)
    assert again.record == SeenRecord("b", ("a",), pending="a", streak=2)
    done = decide(again.record, "a", confirmations=3)
    assert done == (Seen.REVERT, SeenRecord("a", ("b",)))


def test_the_current_hash_again_breaks_a_pending_revert_and_costs_a_write_only_then() -> None:
    assert decide(SeenRecord("b", ("a",)), "b", confirmations=3).record is None
    broken = decide(SeenRecord("b", ("a",), pending="a", streak=2), "b", confirmations=3)
    assert broken == (Seen.SAME, SeenRecord("b", ("a",)))


def test_history_is_bounded() -> None:
    record: SeenRecord | None = None
    for n in range(20):
        record = decide(record, f"h{n}", confirmations=3).record
    assert record == SeenRecord("h19", ("h18", "h17", "h16")[:HISTORY])


@given(st.lists(HASHES, min_size=1, max_size=60), st.integers(min_value=1, max_value=5))
def test_the_record_stays_bounded_and_well_formed(digests: list[str], confirmations: int) -> None:
    record: SeenRecord | None = None
    for digest in digests:
        record = decide(record, digest, confirmations=confirmations).record or record
        assert record is not None
        assert len(record.earlier) <= HISTORY
        assert record.current not in record.earlier
        assert len(set(record.earlier)) == len(record.earlier)
        assert record.pending is None or record.pending in record.earlier
        assert record.streak < confirmations
        assert (record.pending is None) == (record.streak == 0)


@given(st.integers(min_value=2, max_value=500), st.integers(min_value=2, max_value=6))
@example(polls=1000, confirmations=3)
def test_a_feed_alternating_forever_forwards_twice(polls: int, confirmations: int) -> None:
    """A/B/A/B...: the first sighting of each version, then nothing, however long it goes on."""
    digests = ["A", "B"] * (polls // 2) + ["A"] * (polls % 2)
    assert _forwarded(_play(digests, confirmations)) == 2


@given(
    st.lists(st.sampled_from("ABCD"), min_size=1, max_size=200),
    st.integers(min_value=2, max_value=6),
)
def test_flapping_among_a_few_versions_forwards_each_once(
    choices: list[str], confirmations: int
) -> None:
    """However a few versions (no more than the history holds) alternate, as long as none
    is served on ``confirmations`` polls in a row, each is forwarded once: when first seen."""
    runs: list[str] = []
    for choice in choices:  # cut every run of one version short of the confirmations
        if runs[-(confirmations - 1) :] != [choice] * (confirmations - 1):
            runs.append(choice)
    assert _forwarded(_play(runs, confirmations)) == len(set(runs))


@given(st.lists(HASHES, min_size=1, max_size=40), st.integers(min_value=1, max_value=6))
def test_every_hash_never_seen_before_is_forwarded_at_once(
    digests: list[str], confirmations: int
) -> None:
    """Real edits are never delayed: a distinct new hash is forwarded on the poll it appears."""
    distinct = list(dict.fromkeys(digests))
    assert _play(distinct, confirmations) == [Seen.NEW] + [Seen.EDIT] * (len(distinct) - 1)


@given(st.lists(HASHES, min_size=1, max_size=60), st.integers(min_value=1, max_value=5))
def test_a_version_served_long_enough_is_always_forwarded(
    digests: list[str], confirmations: int
) -> None:
    """Damping delays a revert, never loses it: a version served ``confirmations`` polls in a
    row is what consumers last got."""
    record: SeenRecord | None = None
    last_forwarded = None
    for digest in [*digests, *[digests[-1]] * confirmations]:
        decision = decide(record, digest, confirmations=confirmations)
        record = decision.record or record
        if decision.kind.forward:
            last_forwarded = digest
    assert last_forwarded == digests[-1]


def test_an_old_single_hash_value_reads_as_a_history_of_one() -> None:
    """What versions before damping stored (the hash alone) keeps meaning "this is current",
    and a record without history is stored exactly so, as they stored it."""
    assert decode("0f3a9c2e11d4b7a8") == SeenRecord("0f3a9c2e11d4b7a8")
    assert encode(SeenRecord("0f3a9c2e11d4b7a8")) == "0f3a9c2e11d4b7a8"


@given(_records())
def test_records_survive_their_encoding(record: SeenRecord) -> None:
    assert decode(encode(record)) == record


@pytest.mark.parametrize("text", ["a,b;9:2", "a,b;x", "a,b;0:", "a,b;0:0", "a,b;0:-1", "a,b;:"])
def test_a_damaged_pending_count_is_dropped_not_fatal(text: str) -> None:
    """A value no version wrote (hand-edited, truncated) costs its pending count only."""
    assert decode(text) == SeenRecord("a", ("b",))


def test_sift_decides_a_whole_poll() -> None:
    stored = {"same": "1", "edited": "2", "back": "3,4", "broken": "7,8;0:2"}
    hashes = {"same": "1", "edited": "5", "back": "4", "new": "6", "broken": "7"}
    out = sift(stored, hashes, confirmations=3)
    assert out.forward == {"edited", "new"}
    assert out.held == 1
    assert {k: decode(v) for k, v in out.writes.items()} == {
        "edited": SeenRecord("5", ("2",)),
        "back": SeenRecord("3", ("4",), pending="4", streak=1),
        "new": SeenRecord("6"),
        "broken": SeenRecord("7", ("8",)),  # the alternation's count is reset
    }


@given(st.lists(st.tuples(HASHES, HASHES), max_size=30), st.integers(min_value=1, max_value=5))
def test_sift_is_decide_over_encoded_records(
    polls: list[tuple[str, str]], confirmations: int
) -> None:
    """Settling unchanged entries on their stored text (no decoding) decides as the rule does."""
    stored: dict[str, str] = {}
    records: dict[str, SeenRecord] = {}
    for n, (first, second) in enumerate(polls):
        hashes = {"x": first, f"y{n % 3}": second}
        out = sift(stored, hashes, confirmations=confirmations)
        for key, digest in hashes.items():
            kind, record = decide(records.get(key), digest, confirmations=confirmations)
            assert (key in out.forward) == kind.forward
            records[key] = record or records[key]
        stored.update(out.writes)
        assert {k: decode(v) for k, v in stored.items()} == records

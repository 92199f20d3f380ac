"""A referral's ``issued_as_draft`` in its sync record: it travels in the payload, a record of a
version before it gets it told from its sign-off (as the migration tells the referrals held
then), and laptops that told it differently end alike (a draft, which is known for sure)."""

from __future__ import annotations

import desktop_app.sync.kinds  # noqa: F401  (registers the kinds that sync)
from desktop_app.sync.merge import FieldState, RecordState, merge
from desktop_app.sync.records import ADAPTERS, LocalRecord, RowAdapter, decode, encode

RID = "5f0c3a9e-1b2d-4c6e-8f70-112233445566"
CLOCK = "1764000000000-00000-laptop-a"
LATER = "1764000090000-00000-laptop-a"
# A referral as a version before the field sent it: an advisor's own, signed off as issued.
BEFORE = {
    "person_id": "0b5c6a2e-8c1d-4f57-9d7e-3f1c2a4b5d6e",
    "service_id": "jobcenter",
    "reason": "buergergeld",
    "reason_note": "",
    "created_at": "2026-12-01T10:15:00",
    "reference": "WD-2026-12-ABCDEFGH",
    "advisor_name": "Anna Schmidt",
    "advisor_phone": "",
    "advisor_email": "",
    "appointment": "",
    "contact_person": "",
    "documents": "[]",
    "client_lang": "ro",
    "status": "issued",
    "follow_up": "2026-12-15",
    "outcome": "",
    "status_changed_at": "",
    "signed_off_by": "Anna Schmidt",
    "signed_off_at": "2026-12-01T10:15:00",
    "status_history": "[]",
}


def _adapter() -> RowAdapter:
    adapter = ADAPTERS["referral"]
    assert isinstance(adapter, RowAdapter)
    return adapter


def _state(clock: str = CLOCK, **changes: object) -> RecordState:
    values = {**BEFORE, **changes}
    return RecordState("referral", RID, {n: FieldState(v, clock) for n, v in values.items()})


def test_the_field_syncs_as_a_field_of_the_referral() -> None:
    adapter = _adapter()
    # and the service as issued, after it (tests/unit/test_service_as_issued.py)
    assert set(adapter.fields) == {*BEFORE, "issued_as_draft", "service_as_issued"}
    assert "issued_as_draft" in adapter.sticky_true


def test_the_field_reads_back_from_the_payload_as_it_was_written() -> None:
    """In payload form 2, at the record's clock (one made so) and at the oldest (guessed)."""
    made = _state(issued_as_draft=True)
    assert decode(encode(LocalRecord(made, 1, "u"))) == (made, "u")
    guessed = RecordState(
        "referral", RID, {**_state().fields, "issued_as_draft": FieldState(False, "")}
    )
    assert decode(encode(LocalRecord(guessed, 2, "u"))) == (guessed, "u")


def test_a_record_of_the_version_before_gets_it_told_from_its_sign_off() -> None:
    """Not signed off: a draft. Signed off later, or by another name: a draft. Signed off
    as it was issued by the name that issued it: an advisor's own. At the oldest clock."""
    adapter = _adapter()
    cases = [
        ({}, False),
        ({"signed_off_by": "", "signed_off_at": ""}, True),
        ({"signed_off_at": "2026-12-02T09:00:00"}, True),
        ({"signed_off_by": "Mihai Student"}, True),
    ]
    for changes, draft in cases:
        upgraded = adapter.upgrade(_state(**changes), None)
        assert upgraded.fields["issued_as_draft"] == FieldState(draft, "", ""), changes
        # the rest as it came
        assert {n: f for n, f in upgraded.fields.items() if n != "issued_as_draft"} == dict(
            _state(**changes).fields
        )
        values, clocks, _newest = adapter._columns(upgraded)
        assert values["issued_as_draft"] is draft and clocks["issued_as_draft"] == ["", ""]


def test_a_record_of_the_version_before_keeps_what_this_laptop_holds_of_it() -> None:
    """A draft held here (made so, at its clock) signed off by the version before: the
    field as held, with its clocks, so the merge finds nothing new to send back."""
    adapter = _adapter()
    held = _state(signed_off_by="", signed_off_at="", issued_as_draft=True)
    signed = _state(LATER, signed_off_by="Mihai Student", signed_off_at="2026-12-02T09:00:00")
    upgraded = adapter.upgrade(signed, held)
    assert upgraded.fields["issued_as_draft"] == FieldState(True, CLOCK)
    result = merge(held, upgraded, "laptop-b", sticky_true=adapter.sticky_true)
    assert result.state == upgraded and not result.conflicts
    # A tombstone stays one: nothing is told of it.
    tomb = RecordState("referral", RID, {}, True, LATER)
    assert adapter.upgrade(tomb, held) == tomb


def test_laptops_that_told_it_differently_end_with_a_draft_on_both() -> None:
    """Laptop B pulled a draft of the version before (written on laptop A) before its sign-off
    (a draft, for sure); laptop C only after it, signed off within the second by an advisor of
    the helper's name (taken for an advisor's own). Either way round, the merge keeps the
    draft, no conflict."""
    adapter = _adapter()
    waiting = adapter.upgrade(_state(signed_off_by="", signed_off_at=""), None)
    signed = adapter.upgrade(_state(LATER), None)
    assert waiting.fields["issued_as_draft"].value is True
    assert signed.fields["issued_as_draft"].value is False
    on_b = merge(waiting, signed, "laptop-b", sticky_true=adapter.sticky_true)
    on_c = merge(signed, waiting, "laptop-c", sticky_true=adapter.sticky_true)
    for result in (on_b, on_c):
        assert result.state.fields["issued_as_draft"].value is True
        assert not result.conflicts

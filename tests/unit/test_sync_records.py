"""Payloads inside envelopes: what a newer version of the app wrote is told apart from what is
broken (kept for an update, not refused)."""

from __future__ import annotations

import json

import pytest

from desktop_app.storage.models import data_columns
from desktop_app.storage.visits_models import QuickContactRow
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.sync.records import (
    ADAPTERS,
    PAYLOAD_VERSION,
    LocalRecord,
    NewerRecord,
    PayloadError,
    RowAdapter,
    decode,
    encode,
    reader_version,
)

STATE = RecordState(
    "person", "0b5c6a2e-8c1d-4f57-9d7e-3f1c2a4b5d6e", {"notes": FieldState("x", "c")}
)


def _payload(**changes: object) -> bytes:
    return json.dumps({**json.loads(encode(LocalRecord(STATE, 1, "u"))), **changes}).encode()


def test_a_payload_reads_back_as_it_was_written() -> None:
    assert decode(encode(LocalRecord(STATE, 1, "u"))) == (STATE, "u")


def test_a_newer_form_of_payload_is_told_apart_from_a_broken_one() -> None:
    with pytest.raises(NewerRecord):
        decode(_payload(v=PAYLOAD_VERSION + 1))
    for broken in (0, "2", None, 1.5, 1.0, 2.0, True):
        with pytest.raises(PayloadError) as info:
            decode(_payload(v=broken))
        assert not isinstance(info.value, NewerRecord), broken


def test_the_reader_version_changes_with_the_kinds_and_fields_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = reader_version()
    assert reader_version() == before  # the same version: the same digest
    adapter = RowAdapter("walk_in", QuickContactRow, data_columns(QuickContactRow))
    monkeypatch.setitem(ADAPTERS, "walk_in", adapter)
    with_kind = reader_version()
    assert with_kind != before
    adapter.fields = (*adapter.fields, "priority")
    assert reader_version() not in (before, with_kind)

"""Enrollment codes and the characters the server never puts in them (O, 0, I, 1): refused
before joining, with the reason, instead of sent and refused as a code never issued."""

from __future__ import annotations

import string

import pytest

from desktop_app.i18n.messages import sync_message
from desktop_app.i18n.text import set_language
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from sync_server.service import CODE_ALPHABET


def test_the_refused_characters_are_those_the_server_leaves_out() -> None:
    left_out = set(string.ascii_uppercase + string.digits) - set(CODE_ALPHABET)
    assert set(store_settings.ENROLLMENT_LOOKALIKES) == left_out
    # Both of each look-alike pair are left out: nothing to map a misread one to.
    for letter, digit in (("O", "0"), ("I", "1")):
        assert letter not in CODE_ALPHABET and digit not in CODE_ALPHABET


def test_joining_with_a_look_alike_is_refused_before_the_server(session: Session) -> None:
    # Nothing listens at port 9: reaching for the server would fail otherwise.
    with pytest.raises(sync_uc.SyncSetupError) as refused:
        sync_uc.join(session.store, "http://127.0.0.1:9", "k7qx-2mpo-9tzd-4hrb", "Laptop 3")
    assert refused.value.code == "code_lookalike"
    assert not sync_uc.is_joined(session.store)
    english = sync_message("code_lookalike")
    assert "O, 0, I or 1" in english
    for lang in ("de", "bg", "ro"):
        set_language(lang)
        try:
            said = sync_message("code_lookalike")
        finally:
            set_language("en")
        assert said != english and "0" in said and "1" in said, lang

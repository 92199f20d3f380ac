"""The audit log names a letter put in the print queue "queued for printing", not "printed"
(details "via": "queue"), in every language; printed from the queue it is printed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.i18n.text import gettext_in, set_language
from desktop_app.ui.audit import ACTION_NAMES, QUEUED, action_name


@pytest.fixture
def back_to_english() -> Iterator[None]:
    yield
    set_language("en")


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_a_letter_put_in_the_print_queue_is_logged_as_queued_not_printed(
    lang: str, back_to_english: None
) -> None:
    set_language(lang)
    queued, printed = gettext_in(lang, QUEUED), gettext_in(lang, ACTION_NAMES["print"])
    assert queued and printed and queued != printed
    assert action_name("print", {"via": "queue", "referral_id": "r"}) == queued
    for via in ("print", "queue_print", "pdf"):
        assert action_name("print", {"via": via}) == printed

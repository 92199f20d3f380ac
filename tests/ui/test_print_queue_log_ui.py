"""The audit log names a letter put in the print queue "queued for printing", not "printed"
(details "via": "queue"), and one saved as a PDF file "saved as PDF", in every language;
printed, or printed from the queue, it is printed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.i18n.text import gettext_in, set_language
from desktop_app.ui.audit import ACTION_NAMES, QUEUED, SAVED_AS_PDF, action_name


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
    saved = gettext_in(lang, SAVED_AS_PDF)
    assert queued and printed and saved and len({queued, printed, saved}) == 3
    assert action_name("print", {"via": "queue", "referral_id": "r"}) == queued
    assert action_name("print", {"via": "pdf", "referral_id": "r"}) == saved
    for via in ("print", "queue_print"):
        assert action_name("print", {"via": via}) == printed

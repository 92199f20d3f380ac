"""What the person is told about their data when their consent is recorded (Art. 13 GDPR),
beyond what the consent form's own texts say: in the consent's language, in the words of their
data copy (``letters/gdpr_texts``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from desktop_app.domain.referral import Organisation
from desktop_app.i18n.text import gettext_in
from desktop_app.letters import gdpr_texts as texts
from desktop_app.storage.db import Store
from desktop_app.usecases.settings import (
    RETENTION_DEFAULT,
    get_data_protection_officer,
    get_letterhead,
    get_retention_years,
    get_supervisory_authority,
)
from desktop_app.usecases.sync import server_url


@dataclass(frozen=True)
class ConsentNotice:
    """What the settings and the laptop say of the organisation and the data's way: read once
    when the consent dialog opens, told in whichever language the person chooses."""

    organisation: Organisation
    #: the officer's name and contact as the settings name them; "" for none
    data_protection_officer: str = ""
    #: the authority the organisation answers to; "" says the right in general
    supervisory_authority: str = ""
    #: whether this laptop joined a sync server (the team's laptops exchange data through it)
    synced: bool = False
    #: the retention period in force on this laptop (``settings.get_retention_years``)
    retention_years: int = RETENTION_DEFAULT


def consent_notice(store: Store) -> ConsentNotice:
    return ConsentNotice(
        organisation=get_letterhead(store),
        data_protection_officer=get_data_protection_officer(store),
        supervisory_authority=get_supervisory_authority(store),
        synced=bool(server_url(store)),
        retention_years=get_retention_years(store),
    )


# A purpose text that says the consent can be withdrawn at any time, by language: "withdraw"
# and "at any time" in one sentence, in either order (the shipped advice purpose: "Ich kann diese
# Einwilligung jederzeit widerrufen", "Pot retrage oricând acest consimțământ").
_STATES_WITHDRAWAL = {
    "de": re.compile(r"widerruf[^.]*jederzeit|jederzeit[^.]*widerruf", re.IGNORECASE),
    "bg": re.compile(r"оттегл[^.]*по всяко време|по всяко време[^.]*оттегл", re.IGNORECASE),
    "ro": re.compile(
        r"retra[gs][^.]*(oricând|în orice moment)|(oricând|în orice moment)[^.]*retra[gs]",
        re.IGNORECASE,
    ),
    "en": re.compile(r"withdr[ae]w[^.]*at any time|at any time[^.]*withdr[ae]w", re.IGNORECASE),
}


def states_withdrawal(text: str, lang: str) -> bool:
    """Whether ``text`` (a purpose's text in ``lang``) says that consent can be withdrawn at any
    time (False for a language not known here: the notice then says it)."""
    pattern = _STATES_WITHDRAWAL.get(lang)
    return bool(pattern and pattern.search(text))


def about_your_data(
    notice: ConsentNotice, lang: str, purpose_texts: Iterable[str] = ()
) -> tuple[str, list[str]]:
    """The heading and the paragraphs, one a point, in ``lang``, as plain text.

    Not said here, because the consent texts say it: the purposes, and that a referral's data
    goes to the named service alone, with that consent (the referral purpose). That consent
    can be withdrawn at any time (Art. 7(3), 13(2)(c) GDPR) is said here unless one of the
    ``purpose_texts`` shown with it (in ``lang``; none given: said) says it: the shipped ones
    do, a coordinator's republished forms may not."""
    withdrawal = [gettext_in(lang, texts.CONSENT_LEGAL_BASIS)]
    if not any(states_withdrawal(text, lang) for text in purpose_texts):
        withdrawal.append(gettext_in(lang, texts.WITHDRAWAL_RIGHT))
    withdrawal.append(gettext_in(lang, texts.WITHDRAWAL_BEFORE))
    paragraphs = [
        gettext_in(lang, texts.CONTROLLER).format(
            controller=texts.controller_contact(notice.organisation)
        ),
        texts.dpo_contact(lang, notice.data_protection_officer),
        texts.retention_rule(lang, notice.retention_years),
        gettext_in(lang, texts.RECIPIENTS_SERVER) if notice.synced else "",
        gettext_in(lang, texts.RIGHT_OF_ACCESS) + " " + gettext_in(lang, texts.LEGAL_RIGHTS),
        " ".join(withdrawal),
        texts.complaint(lang, notice.supervisory_authority),
        gettext_in(lang, texts.LEGAL_AUTOMATED),
    ]
    return gettext_in(lang, texts.ABOUT_HEADING), [p for p in paragraphs if p]

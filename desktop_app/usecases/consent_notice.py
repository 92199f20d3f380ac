"""What the person is told about their data when their consent is recorded (Art. 13 GDPR),
beyond what the consent form's own texts say: in the consent's language, in the words of their
data copy (``letters/gdpr_texts``)."""

from __future__ import annotations

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


def about_your_data(notice: ConsentNotice, lang: str) -> tuple[str, list[str]]:
    """The heading and the paragraphs, one a point, in ``lang``, as plain text.

    Not said here, because the shipped consent texts say it: the purposes, that a consent can
    be withdrawn at any time (the form's note and the advice purpose), and that a referral's
    data goes to the named service alone, with that consent (the referral purpose)."""
    paragraphs = [
        gettext_in(lang, texts.CONTROLLER).format(
            controller=texts.controller_contact(notice.organisation)
        ),
        texts.dpo_contact(lang, notice.data_protection_officer),
        texts.retention_rule(lang, notice.retention_years),
        gettext_in(lang, texts.RECIPIENTS_SERVER) if notice.synced else "",
        gettext_in(lang, texts.RIGHT_OF_ACCESS) + " " + gettext_in(lang, texts.LEGAL_RIGHTS),
        gettext_in(lang, texts.CONSENT_LEGAL_BASIS)
        + " "
        + gettext_in(lang, texts.WITHDRAWAL_BEFORE),
        texts.complaint(lang, notice.supervisory_authority),
        gettext_in(lang, texts.LEGAL_AUTOMATED),
    ]
    return gettext_in(lang, texts.ABOUT_HEADING), [p for p in paragraphs if p]

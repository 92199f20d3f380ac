"""The retention period a coordinator chooses travels with the publication ``organisation``
(real server process on 127.0.0.1, SQLite and PostgreSQL; real encrypted stores): the other
laptops' data copies, consent texts and retention lists use it, and a later change replaces it."""

from __future__ import annotations

import datetime as dt

from desktop_app.domain.users import Role
from desktop_app.i18n.formatting import format_long_date
from desktop_app.usecases import data_rights
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.consent_notice import about_your_data, consent_notice
from tests.integration.sync_harness import Laptops, logged_in_again
from tests.integration.test_sync_organisation import AUTHORITY, FIRST, OFFICER
from tests.pdf_text import pdf_text as _text
from tests.unit.test_referrals import _person

RO_RULE = (
    "Vă păstrăm datele cât timp veniți la noi pentru consiliere. După {years} ani fără contact, "
    "le ștergem."
)
BG_RULE = (
    "Пазим Вашите данни, докато идвате при нас за консултация. След {years} години без контакт ги "
    "изтриваме."
)


def test_a_coordinators_period_reaches_the_team_and_a_later_one_replaces_it(
    laptops: Laptops,
) -> None:
    a = laptops.new("A")  # the coordinator's laptop
    b = laptops.new("B")  # a member's laptop, its first account a coordinator
    c = laptops.new("C", role=Role.HELPER)  # a student helper's outreach laptop
    assert store_settings.save_organisation_settings(
        a.store, a.user, FIRST, AUTHORITY, OFFICER, retention_years=5
    )
    laptops.sync(a, b, c)
    helper = logged_in_again(c)
    try:
        assert helper.user.role is Role.HELPER
        assert store_settings.get_retention_years(helper.store) == 5
        # The consent dialog on the helper's laptop tells the person 5 years, in Bulgarian.
        _heading, paragraphs = about_your_data(consent_notice(helper.store), "bg")
        assert BG_RULE.format(years=5) in paragraphs, paragraphs
        # A helper may not make a data copy (an advisor's and a coordinator's work): the
        # member's laptop B makes it, in Romanian, with the period and the date it ends.
        person = _person(b, "Ioana", "Stan", sharing="")
        copy = _text(data_rights.export_person(b.store, b.user, person.id, lang="ro")[1])
        assert RO_RULE.format(years=5) in copy, copy
        erase_from = data_rights.years_after(dt.date.today(), 5)
        assert format_long_date(erase_from, "ro") in copy
        assert RO_RULE.format(years=3) not in copy

        # A later period on A replaces it on every laptop, with nothing else changed.
        assert store_settings.save_organisation_settings(
            a.store, a.user, FIRST, AUTHORITY, OFFICER, retention_years=2
        )
        laptops.sync(a, b, c)
        assert store_settings.get_retention_years(helper.store) == 2
        _heading, paragraphs = about_your_data(consent_notice(helper.store), "ro")
        assert RO_RULE.format(years=2) in paragraphs, paragraphs
        copy = _text(data_rights.export_person(b.store, b.user, person.id, lang="ro")[1])
        assert RO_RULE.format(years=2) in copy and RO_RULE.format(years=5) not in copy
        # B's retention list counts 2 years: someone seen today is due in 2 years, not before.
        in_2_years = data_rights.years_after(dt.date.today(), 2)
        day_before = in_2_years - dt.timedelta(days=1)
        assert data_rights.people_due_for_deletion(b.store, b.user, today=day_before) == []
        due = data_rights.people_due_for_deletion(
            b.store, b.user, today=in_2_years + dt.timedelta(days=1)
        )
        assert person.id in [e.person_id for e in due]
    finally:
        helper.close()

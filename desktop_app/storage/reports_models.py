"""What the reports read: an index of visits by finish day, and the report facts of visits."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from desktop_app.storage.models import Base


class ReportPersonRow(Base):
    """A small integer key per person with report facts, and the day of their first visit.

    Kept by the triggers of migration ``report_facts``; a person's row goes with their last fact.
    The copies of the person's nationality, first and latest insurance answer and latest life
    situation spare a report several lookups per person advised (triggers on ``people`` keep
    the nationality).
    """

    __tablename__ = "report_persons"
    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True)
    #: YYYYMMDD of the person's first (not deleted) visit, on any laptop, by anyone
    first_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: the person's first and latest insurance answer (life situation) and when it was given
    first_insurance_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    first_insurance: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_insurance_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_insurance: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: the person's latest life-situation visit: when, postal code, children
    last_life_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_life_postal_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    last_life_has_children: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_life_children_here: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: the person's nationality (ISO code) as ``people`` holds it; NULL while there is no person
    nationality: Mapped[str | None] = mapped_column(String(2), nullable=True)


#: ``ReportFactRow.ehic``: the date on the card had passed on the visit's day, it had not, or
#: no whole date was recorded. Ordered so that a person's ``max()`` over a period's visits says
#: whether the card had expired at any of them.
EHIC_NO_DATE, EHIC_VALID, EHIC_EXPIRED = 0, 1, 2


class ReportFactRow(Base):
    """One row per visit that is not deleted: what the reports count, taken out of the answers.

    Written by SQL triggers on ``visits`` (insert, update, delete), so every write path — the
    use cases, sync merges, tombstones, erasure, bulk demo inserts — keeps it right in the same
    transaction. ``day``/``month`` are YYYYMMDD/YYYYMM integers of ``finished_at``. The life
    situation columns are NULL (0) for other forms; ``german_level`` is set for skills checks.
    ``topics`` (JSON list) and ``next_steps`` (JSON object) are copied as text so a report can
    group by them: visits share few distinct combinations.
    """

    __tablename__ = "report_visit_facts"
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_key: Mapped[int] = mapped_column(Integer, nullable=False)
    month: Mapped[int] = mapped_column(Integer, nullable=False)
    finished_at: Mapped[str] = mapped_column(String(32), nullable=False)
    form_id: Mapped[str] = mapped_column(String(63), nullable=False)
    device_id: Mapped[str] = mapped_column(String(36), nullable=False)
    author_id: Mapped[str] = mapped_column(String(36), nullable=False)
    postal_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    insurance: Mapped[str | None] = mapped_column(String(40), nullable=True)
    has_children: Mapped[int] = mapped_column(Integer, nullable=False)
    children_here: Mapped[int] = mapped_column(Integer, nullable=False)
    topics: Mapped[str | None] = mapped_column(Text, nullable=True)
    german_level: Mapped[str | None] = mapped_column(String(20), nullable=True)
    next_steps: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: life situation with the EHIC as the insurance: whether the card had expired on the day
    #: the visit's form was checked for (``EHIC_EXPIRED``, ``EHIC_VALID``, ``EHIC_NO_DATE``:
    #: no whole date recorded); NULL for other visits (migration ``report_ehic``)
    ehic: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        # the triggers find a visit's fact by the visit
        Index("ix_report_facts_visit", "visit_id", unique=True),
        # the period figures: who was advised, how many visits, by form
        Index("ix_report_facts_day", "day", "person_key", "form_id"),
        # the monthly trend: distinct people per month straight from the index order
        Index("ix_report_facts_month", "month", "person_key"),
        # a person's first day and their insurance answers in time order
        Index("ix_report_facts_person", "person_key", "finished_at", "insurance"),
        # a person's insurance answers alone (what a period's end looks back on)
        Index(
            "ix_report_facts_insurance",
            "person_key",
            "finished_at",
            "insurance",
            sqlite_where=text("insurance IS NOT NULL"),
        ),
        # the people with an EHIC among a period's facts, without reading the others'
        Index(
            "ix_report_facts_ehic",
            "day",
            "person_key",
            "ehic",
            sqlite_where=text("ehic IS NOT NULL"),
        ),
        # keyed by (day, visit) without a rowid: a period's facts lie together on few pages
        {"sqlite_with_rowid": False},
    )


class ReportMonthAnswersRow(Base):
    """Visits per month, laptop, author, form and combination of the answers the reports group
    by (topic list, German level, next steps; '' where a visit has none), kept by triggers on
    ``report_visit_facts``: a year's answer figures add up a few hundred rows."""

    __tablename__ = "report_month_answers"
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(Text, primary_key=True)
    author_id: Mapped[str] = mapped_column(Text, primary_key=True)
    form_id: Mapped[str] = mapped_column(Text, primary_key=True)
    topics: Mapped[str] = mapped_column(Text, primary_key=True)
    german_level: Mapped[str] = mapped_column(Text, primary_key=True)
    next_steps: Mapped[str] = mapped_column(Text, primary_key=True)
    visits: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = ({"sqlite_with_rowid": False},)


class ReportPersonMonthRow(Base):
    """One row per person (report key) and month (YYYYMM) with a visit, and how many visits;
    kept by triggers on ``report_visit_facts`` (migration ``report_facts_2``): the people advised
    in whole months, and people per month for the trend, without a DISTINCT over the visits."""

    __tablename__ = "report_person_months"
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    visits: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = ({"sqlite_with_rowid": False},)


class ReportPersonYearRow(Base):
    """One row per person (report key) and year with a visit, and how many visits (as
    ``report_person_months``): the people advised in a whole year."""

    __tablename__ = "report_person_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    visits: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = ({"sqlite_with_rowid": False},)


class ReportMonthReferralsRow(Base):
    """Referrals (not deleted) per month made, laptop, author, service and outcome as the
    reports count it: ``attended`` (status attended or outcome noted, or closed after the
    history shows the person went), ``not_attended`` (closed otherwise) or ``pending``. Kept by
    triggers on ``referrals`` (migration ``report_facts_2``), so a report reads a few hundred
    rows, not each referral and the status history of the closed ones."""

    __tablename__ = "report_month_referrals"
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(Text, primary_key=True)
    author_id: Mapped[str] = mapped_column(Text, primary_key=True)
    service_id: Mapped[str] = mapped_column(Text, primary_key=True)
    outcome: Mapped[str] = mapped_column(Text, primary_key=True)
    referrals: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = ({"sqlite_with_rowid": False},)

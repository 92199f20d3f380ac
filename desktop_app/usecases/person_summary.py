"""What the next advisor needs to know of a returning person at a glance: the household,
housing and health insurance (an EHIC's date too) of the latest life-situation check, the
languages, qualifications and driving licence of the latest skills check, the open referrals and
the accepted next steps not referred yet. Read as the user may see it (restricted sections
withheld)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.domain.life_facts import (
    CHILD_INSURANCE,
    CHILDREN_FIELD,
    CHILDREN_INSURANCE_FIELD,
    LifeFacts,
)
from desktop_app.domain.referral import Referral, ReferralStatus
from desktop_app.domain.skills_facts import SkillsFacts
from desktop_app.domain.users import User
from desktop_app.forms.definition import FormDefinition
from desktop_app.storage.db import Store
from desktop_app.usecases import referrals as referrals_uc
from desktop_app.usecases import visits as visits_uc

LIFE_SITUATION_FORM = "life_situation"
SKILLS_FORM = referrals_uc.SKILLS_FORM
HOUSING_FIELD = "housing_type"
INSURANCE_FIELD = "insurance_status"
CHILD_LIVES = "child_lives"
SUMMARY_FIELDS = (visits_uc.COUNTED_CHILDREN, HOUSING_FIELD, INSURANCE_FIELD)

LabelMap = dict[str, str]


@dataclass(frozen=True)
class SummaryChild:
    """A child living with the person: first name as typed, age in whole years (None where
    the birth date is not complete)."""

    name: str
    age: int | None


@dataclass(frozen=True)
class PersonSummary:
    visit_id: str  # the latest life-situation check's; "" where none was recorded
    finished_at: str
    #: the number of children under 18 answered (None: not answered or withheld)
    children_count: int | None
    children: tuple[SummaryChild, ...]  # those living with the person
    housing: LabelMap | None  # the answer's label in each language; None: not known or withheld
    insurance: LabelMap | None
    withheld: tuple[str, ...]  # restriction kinds removed from the check for this user
    #: of CHILDREN_FIELD, HOUSING_FIELD, INSURANCE_FIELD those in a section withheld from the user
    hidden: frozenset[str]
    open_referrals: tuple[Referral, ...]  # not closed, the next follow-up first
    open_steps: tuple[LabelMap, ...]  # accepted next steps not referred to yet
    #: each child whose insurance the check recorded (any child, where they live), with the
    #: answer's label in each language; empty where none was or it is withheld
    children_insurance: tuple[tuple[SummaryChild, LabelMap], ...] = ()
    #: the children not living with the person (in the home country, elsewhere in Germany),
    #: each with the label of the form's answer where they live (None: not answered); the
    #: Kindergeld is paid for them too
    children_elsewhere: tuple[tuple[SummaryChild, LabelMap | None], ...] = ()
    #: the latest finished skills check, read as the letters read it; None where none was
    skills: SkillsFacts | None = None
    skills_visit_id: str = ""  # that check's; "" where none was recorded
    skills_finished_at: str = ""
    #: the date on the person's EHIC, where the insurance is the EHIC and the date was recorded
    #: (withheld with the insurance); whether it had expired by the day the summary was read
    ehic_valid_until: dt.date | None = None
    ehic_expired: bool = False


def _option_label(
    definition: FormDefinition, field_id: str, answer: object, sub_id: str = ""
) -> LabelMap | None:
    """The label of ``answer`` to ``field_id`` (``sub_id``: to that question of the group)."""
    if not isinstance(answer, str) or not answer:
        return None
    try:
        field = definition.field(field_id)
    except KeyError:  # a published form without the question
        return None
    question = field.subfield(sub_id) if sub_id else field
    if question is None:
        return None
    for option in question.options or ():
        if option.id == answer:
            return dict(option.label)
    return None


def _follow_up_order(referral: Referral) -> tuple[dt.date, float]:
    return (referral.follow_up or dt.date.max, -referral.created_at.timestamp())


def person_summary(
    store: Store,
    user: User,
    person_id: str,
    *,
    history: Sequence[visits_uc.Visit] | None = None,
    today: dt.date | None = None,
    log_view: bool = True,
) -> PersonSummary:
    """The summary of the person as ``user`` may see it. Reading it is an audit entry of the
    latest checks read and of the referrals listed (``log_view=False`` where a window logs
    those views itself). ``history``: the person's visits as ``visit_history`` gave them to
    this user just now (the visits tab has read them; read here otherwise)."""
    today = today or dt.date.today()
    if history is None:
        history = visits_uc.visit_history(store, user, person_id, log_view=False)
    latest = next((v for v in history if v.form_id == LIFE_SITUATION_FORM), None)
    if latest is not None and log_view:
        visits_uc.log_visit_view(store, user, latest)
    referred = referrals_uc.referrals_of(store, user, person_id, log_view=log_view)
    steps = tuple(
        dict(rule.label) for rule in referrals_uc.open_next_steps(store, history, referred)
    )
    open_referrals = tuple(
        sorted(
            (r for r in referred if r.status is not ReferralStatus.CLOSED),
            key=_follow_up_order,
        )
    )
    # The skills check has no restricted section: a helper reads it as on its tab. It is in
    # the history read already, so it costs no query (the summary is read for every person
    # passed in the list).
    skills_visit = next((v for v in history if v.form_id == SKILLS_FORM), None)
    skills = (
        referrals_uc.skills_from_answers(
            visits_uc.form_recorded_in(
                store, SKILLS_FORM, skills_visit.form_version, skills_visit.answers
            ),
            skills_visit.answers,
        )
        if skills_visit is not None
        else None
    )
    if skills_visit is not None and log_view:
        visits_uc.log_visit_view(store, user, skills_visit)
    skills_visit_id = skills_visit.id if skills_visit is not None else ""
    skills_finished_at = skills_visit.finished_at if skills_visit is not None else ""
    if latest is None:
        return PersonSummary(
            "",
            "",
            None,
            (),
            None,
            None,
            (),
            frozenset(),
            open_referrals,
            steps,
            skills=skills,
            skills_visit_id=skills_visit_id,
            skills_finished_at=skills_finished_at,
        )
    answers = latest.answers
    facts = LifeFacts.from_answers(answers)
    count = answers.get(visits_uc.COUNTED_CHILDREN)
    definition = visits_uc.form(latest.form_id, store)
    return PersonSummary(
        visit_id=latest.id,
        finished_at=latest.finished_at,
        children_count=max(count, len(facts.children)) if isinstance(count, int) else None,
        children=tuple(SummaryChild(child.name, child.age(today)) for child in facts.children_here),
        housing=_option_label(definition, HOUSING_FIELD, answers.get(HOUSING_FIELD)),
        insurance=_option_label(definition, INSURANCE_FIELD, answers.get(INSURANCE_FIELD)),
        children_insurance=tuple(
            (SummaryChild(child.name, child.age(today)), label)
            for child in facts.children
            if (
                label := _option_label(
                    definition, CHILDREN_INSURANCE_FIELD, child.insurance, CHILD_INSURANCE
                )
            )
        ),
        children_elsewhere=tuple(
            (
                SummaryChild(child.name, child.age(today)),
                _option_label(definition, CHILDREN_FIELD, child.lives, CHILD_LIVES),
            )
            for child in facts.children
            if not child.in_household
        ),
        ehic_valid_until=(
            facts.ehic_valid_until.earliest() if facts.ehic_valid_until is not None else None
        ),
        ehic_expired=bool(facts.ehic_expired(today)),
        withheld=latest.withheld,
        hidden=frozenset(SUMMARY_FIELDS) & definition.withheld_fields(frozenset(latest.withheld)),
        open_referrals=open_referrals,
        open_steps=steps,
        skills=skills,
        skills_visit_id=skills_visit_id,
        skills_finished_at=skills_finished_at,
    )

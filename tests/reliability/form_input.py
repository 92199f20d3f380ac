"""Bad-input campaign: generated form answers and person details (huge, control characters,
mixed scripts, impossible dates, wrong types) get a clear message at the field; nothing is
stored half-valid."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.validation import ValidationFailed
from desktop_app.forms import FieldDef, FieldType, InvalidAnswers, clean
from desktop_app.usecases import people, visits
from desktop_app.usecases.accounts import create_first_account
from tests.integration.sync_harness import PASSWORD
from tests.reliability.campaign import Campaign

LANGS = ("de", "bg", "ro", "en")


def _nasty(c: Campaign) -> Any:
    r = c.rng
    return r.choice(
        [
            lambda: "x" * r.choice([257, 5_000, 200_000]),
            lambda: "Ива\x00н\x07" + chr(r.randrange(0, 32)),
            lambda: "\u202eПетров\u200b Popescu Ștefan Μαρία",
            lambda: r.choice(
                [
                    "31.02.2020",
                    "2020-13-45",
                    "0000-00-00",
                    "9999-12-31",
                    "29.02.2023",
                    "1800-01-01",
                    "2999",
                    "12/31/2020",
                    "--",
                    "0.0.0",
                ]
            ),
            lambda: r.choice([-1, 0, 10**30, -(10**30), 3.5, math.nan, math.inf]),
            lambda: r.choice([True, False, None]),
            lambda: [r.choice(["a", 1, None]) for _ in range(r.randrange(0, 30))],
            lambda: {"nested": {"deep": ["x"]}},
            lambda: r.choice(["A1", "C9", "yes", "no", "unknown", "🙂", "' OR 1=1 --"]),
            lambda: "".join(chr(r.randrange(0x20, 0x3000)) for _ in range(r.randrange(1, 80))),
        ]
    )()


def _plausible(c: Campaign, f: FieldDef) -> Any:
    options = (
        f.option_ids() if f.options or f.type in (FieldType.YES_NO_UNKNOWN, FieldType.CEFR) else []
    )
    if f.type == FieldType.MULTI_CHOICE and options:
        return c.rng.sample(options, c.rng.randint(0, len(options)))
    if options:
        return c.rng.choice(options)
    if f.type == FieldType.INTEGER:
        return c.rng.randint(-5, 50)
    if f.type == FieldType.DATE:
        return c.rng.choice(["2020-05-01", "2020", "2020-05"])
    return "Text"


def _answers(
    c: Campaign, fields: list[FieldDef], depth: int = 0, nasty: float = 0.35
) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for f in fields:
        roll = c.rng.random()
        if roll < 0.2:
            continue
        if f.type == FieldType.GROUP and f.fields and depth < 2 and roll < 0.7:
            answers[f.id] = [
                _answers(c, f.fields, depth + 1, nasty) for _ in range(c.rng.randint(0, 3))
            ]
        elif roll < 0.2 + nasty:
            answers[f.id] = _nasty(c)
        else:
            answers[f.id] = _plausible(c, f)
    if nasty and c.rng.random() < 0.1:
        answers[f"unknown_{c.rng.randrange(100)}"] = _nasty(c)
    return answers


def _check_messages(c: Campaign, errors: list[Any], field_attr: str) -> None:
    c.check(bool(errors), "a refusal names at least one field")
    for e in errors:
        c.check(bool(e.code), "every refusal has a code", repr(e))
        if hasattr(e, "message"):
            c.check(
                all(e.message.get(lang) for lang in LANGS),
                "every form message exists in de, bg, ro and en",
                repr(e),
            )
        c.check(isinstance(getattr(e, field_attr), str), "every refusal names its field", repr(e))


def bad_form_input(c: Campaign, workdir: Path) -> Campaign:
    session = create_first_account(workdir / "laptop", "anna", "Anna", PASSWORD)
    try:
        store = session.store
        person = people.register_person(store, session.user, PersonDraft("Ana", "Pop", "1990"))
        definitions = {fid: visits.form(fid) for fid in visits.VISIT_FORMS}
        for _ in c.iterations():
            if c.out_of_time():
                break
            form_id = c.rng.choice(sorted(definitions))
            definition = definitions[form_id]
            fields = [f for s in definition.sections for f in s.fields]
            answers = _answers(c, fields, nasty=c.rng.choice([0.0, 0.02, 0.1, 0.35]))
            c.note("form answers generated")
            try:
                cleaned = clean(definition, answers)
                c.note("form answers accepted (after dropping irrelevant ones)")
                c.check(isinstance(cleaned, dict), "clean returns the answers to store")
            except InvalidAnswers as exc:
                _check_messages(c, exc.errors, "field_path")
                c.note("form answers refused with field messages")
            before = len(visits.visit_history(store, session.user, person.id, log_view=False))
            try:
                visits.finish_visit(store, session.user, person.id, form_id, answers)
                c.note("visits stored")
                stored = 1
            except InvalidAnswers as exc:
                _check_messages(c, exc.errors, "field_path")
                stored = 0
                c.note("visits refused")
            c.check(
                len(visits.visit_history(store, session.user, person.id, log_view=False))
                == before + stored,
                "a refused visit stores nothing, a saved one exactly once",
            )
            fine = {
                "given_name": "Ion",
                "family_name": "Lungu",
                "date_of_birth": "1985",
                "phone": "0176 1234567",
                "notes": "",
                "nationality": "RO",
            }
            draft_values = {k: _nasty(c) if c.rng.random() < 0.12 else v for k, v in fine.items()}
            draft_values = {k: v if isinstance(v, str) else str(v) for k, v in draft_values.items()}
            count = people.count_people(store)
            try:
                people.register_person(
                    store,
                    session.user,
                    PersonDraft(
                        given_name=draft_values["given_name"],
                        family_name=draft_values["family_name"],
                        date_of_birth=draft_values["date_of_birth"],
                        phone=draft_values["phone"],
                        notes=draft_values["notes"],
                        nationality=draft_values["nationality"],
                    ),
                    confirm_duplicates=True,
                )
                c.note("people stored")
                added = 1
            except ValidationFailed as exc:
                _check_messages(c, exc.errors, "field")
                c.note("people refused with field messages")
                added = 0
            c.check(
                people.count_people(store) == count + added,
                "a refused person stores nothing, a saved one exactly once",
            )
        c.check(store.integrity_ok(), "the store passes PRAGMA integrity_check at the end")
        c.holds(
            "every bad answer is refused with a code at a named field (messages in 4 languages)"
        )
        c.holds("nothing half-stored: refused visits and people leave no rows")
    finally:
        session.close()
    return c

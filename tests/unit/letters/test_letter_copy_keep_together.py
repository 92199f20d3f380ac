"""The person's copy's last layout step (``render_referral_letter``): a copy too long for its
sheet even with the documents in two columns is set tight (less space between blocks) and what
to bring is kept together. A large family's copy in Bulgarian, read back from the PDF: kept to
its sheet where tight is enough, and where it is not, what to bring goes over to the next page
as a whole, never its last lines alone."""

from __future__ import annotations

from typing import Any

import pytest

from desktop_app.domain.life_facts import LifeFacts, documents_to_bring
from desktop_app.letters import referral_letter
from tests.unit.letters.letter_helpers import (
    DIRECTORY,
    ORGANISATION,
    PETAR,
    TODAY,
    pdf_text,
    referral_for,
)

NAMES = ("Мария", "Иван", "Александра", "Константин", "Виктория", "Георги")
#: documents the advisor added for a family with children at school and Kindergeld paid in
#: Bulgaria before (as typed, in German: the copy prints them so)
ADDED = (
    "Schulbescheinigungen der Kinder",
    "Kindergeldbescheid aus Bulgarien (Formular E 411)",
    "Sorgerechtsnachweis",
)


def _family(own: str, answers: tuple[str, ...]) -> dict[str, Any]:
    """Six children in the household, born 2012 to 2022, at school or daycare, each with the
    Steuer-ID answer of ``answers`` in turn; the person's own answer ``own``."""
    return {
        "tax_id": own,
        "children_count": len(NAMES),
        "children": [
            {
                "child_name": name,
                "child_birth": f"{2012 + 2 * i}-0{1 + i}-15",
                "child_lives": "with_person",
                "child_care": "school" if i < 4 else "daycare",
                "child_tax_id": answers[i % len(answers)],
            }
            for i, name in enumerate(NAMES)
        ],
        "address_registration": "registered",
        "housing_type": "own_rental",
        "work_status": ["minijob"],
    }


def _render(
    answers: dict[str, Any], added: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> tuple[bytes, list[tuple[bool, bool]]]:
    """The letter to the Familienkasse with its Bulgarian copy, and the copy's layouts tried
    (compact, tight), in order: the real layout function, only watched."""
    tried: list[tuple[bool, bool]] = []
    client_story = referral_letter._client_story

    def watched(ctx: Any, *, compact: bool = False, tight: bool = False, **kw: Any) -> Any:
        tried.append((compact, tight))
        return client_story(ctx, compact=compact, tight=tight, **kw)

    monkeypatch.setattr(referral_letter, "_client_story", watched)
    service = DIRECTORY.get("familienkasse")
    facts = LifeFacts.from_answers(answers)
    documents = (*documents_to_bring(service.documents, facts), *added)
    referral = referral_for(service, PETAR, reason="kindergeld", documents=documents)
    pdf = referral_letter.render_referral_letter(
        referral, PETAR, service, ORGANISATION, "bg", today=TODAY, facts=facts
    )
    return pdf, tried


def _in_order(text: str, parts: list[str]) -> None:
    """Each of ``parts`` is in ``text``, in this order."""
    places = [text.find(part) for part in parts]
    assert -1 not in places, [p for p, at in zip(parts, places, strict=True) if at < 0]
    assert places == sorted(places), parts


def _copy_pages(pages: list[str]) -> list[str]:
    """The copy's pages: from the one it begins on (after the letter to the office)."""
    first = next(i for i, page in enumerate(pages) if "Вашето насочване" in page)
    assert "Mit freundlichen Grüßen" in pages[first - 1]  # the letter ends before it
    return pages[first:]


#: the copy's blocks, in the order the compact layouts set them: who referred the person (and
#: how to reach us) before what to bring, which may go on over the page under its heading
BLOCKS = [
    "Вашето насочване",
    "Здравейте, Петър!",
    "Вашият час",
    "Къде?",
    "Кой Ви насочи?",
    "Имате въпроси или нещо не се получава? Свържете се с нас.",
]
BRING = "Какво да носите Отметнете това, което сте взели. Носете оригиналите."


def test_a_large_familys_copy_too_long_even_in_two_columns_is_set_tight_on_its_sheet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Six children who all have a Steuer-ID (named beside it: "също и за Мария (14), …"), the
    Familienkasse's documents and one the advisor added: the copy does not fit its sheet even
    with the documents in two columns, and the tight layout keeps it there (without it, it
    ran a few points over onto a sheet of its own). The checklist reads across its two
    columns, row by row: down the first column (the referral's order), then the second."""
    pdf, tried = _render(_family("yes", ("yes",)), ADDED[:1], monkeypatch)
    assert tried == [(False, False), (True, False), (True, True)]
    letter, copy = pdf_text(pdf)  # the letter to the office on one page, the copy on one
    assert _copy_pages([letter, copy]) == [copy]
    # the letter names all the children it lists by "die Kinder", not by six ages
    assert "Steuer-Identifikationsnummer (Steuer-ID) – auch für die Kinder – " in letter
    _in_order(copy, [*BLOCKS, BRING])
    named = "Мария (14), Иван (12), Александра (10), Константин (8), Виктория (6) и Георги (4)"
    rows = [
        ("Лична карта или паспорт", "Данни на банковата сметка (IBAN)"),
        ("Удостоверение за адресна регистрация (Anmeldung)", "Документи за доходите"),
        (f"Данъчен идентификационен номер (Steuer-ID) – също и за {named}", ADDED[0]),
        ("Удостоверения за раждане на децата", ""),
    ]
    checklist = [f"☐ {d}" for row in rows for d in row if d]
    _in_order(copy, [BRING, *checklist])
    assert copy.endswith(f"{checklist[-1]} Страница 2 от 2")  # nothing after the checklist


def test_what_to_bring_goes_over_the_page_as_a_whole_where_even_tight_is_too_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The person has no Steuer-ID yet, nor two of the six children; three documents added:
    too long even tight. What to bring (its heading, tip, checklist and the Steuer-IDs to
    follow) goes onto the copy's second sheet as a whole; its first sheet ends with who
    referred the person. Split, its first rows stood at the foot of the first sheet and the
    rest alone on the second."""
    pdf, tried = _render(_family("no", ("yes", "no", "unknown")), ADDED, monkeypatch)
    assert tried == [(False, False), (True, False), (True, True)]
    first, second = _copy_pages(pdf_text(pdf))
    _in_order(first, BLOCKS)
    assert "Какво да носите" not in first and "☐" not in first
    assert first.endswith(f"{BLOCKS[-1]} Страница 3 от 4")
    rows = [
        ("Лична карта или паспорт", "Документи за доходите"),
        ("Удостоверение за адресна регистрация (Anmeldung)", ADDED[0]),
        (
            "Данъчен идентификационен номер (Steuer-ID) – за Мария (14), Александра (10), "
            "Константин (8) и Георги (4)",
            ADDED[1],
        ),
        ("Удостоверения за раждане на децата", ADDED[2]),
        ("Данни на банковата сметка (IBAN)", ""),
    ]
    to_follow = (
        "Данъчните идентификационни номера (Steuer-ID) за Вас и за Иван (12) и Виктория (6) "
        "още не са пристигнали. Щом дойдат по пощата от Bundeszentralamt für Steuern, "
        "занесете ги или ги изпратете на тази служба."
    )
    checklist = [f"☐ {d}" for row in rows for d in row if d]
    # the heading first on its sheet (after the running header), the rest in order under it
    assert second.index(BRING) < second.index("☐") and "Кой Ви насочи?" not in second
    _in_order(second, [BRING, *checklist, to_follow])
    assert second.endswith(f"{to_follow} Страница 4 от 4")


def test_a_copy_set_tight_leaves_the_next_letters_as_they_were(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tight layout's spacing is that copy's alone: set into the shared styles, it made
    every later copy of the program's run tight, which then fit where it did not before (the
    clean-clone run found it: this file's first test, run after another, tried one layout)."""
    family = _family("yes", ("yes",))
    first = list(_render(family, ADDED[:1], monkeypatch)[1])  # (its watcher goes on counting)
    again = _render(family, ADDED[:1], monkeypatch)[1]
    assert first == again == [(False, False), (True, False), (True, True)]

"""Letter texts from ``resources/letters/``: referral reasons and the shared letter phrases.

Every text exists in all languages and may use only the placeholders in ``PLACEHOLDERS``;
both are checked on load, so a typo in a translation fails at start-up, not in front of a client.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from desktop_app.domain.referral import OTHER_REASON, Organisation
from desktop_app.domain.service import LocalizedText
from desktop_app.letters import _resources as res
from desktop_app.paths import resource

#: Every value the letter renderer supplies; a template may use any of them.
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "given_name",
        "family_name",
        "full_name",
        "latin_name",
        "name_with_latin",
        # as the ID document spells it, where it differs from the name as written and from
        # its transliteration ("GUEORGUIEVA Maria" beside "Мария Георгиева (Mariya
        # Georgieva)"); else empty
        "id_document_name",
        "name_again",  # after the first mention: "Frau Ionescu" (German letter; else the name)
        "name_again_object",  # the same as an object: "Herrn Petrov"
        "date_of_birth",
        "nationality",
        "languages",
        "service_name",
        "contact_person",
        "appointment_date",
        "appointment_time",
        "reference",
        "advisor_name",
        "advisor_contact",
        "organisation_name",
        "client_language",
        "reason_note",
        "today",
        "page",
        "pages",
    }
)

#: The language the advisor writes the referral's note in: the German letter to the service
#: prints it ("Hinweis aus der Beratung", the "other" reason's matter). A person's copy in
#: another language leaves it out (``copy_prints_note``): it would read as if in her language.
NOTE_LANGUAGE = "de"

#: Placeholders of the "household" texts: the lines on the children, the address registration
#: and the housing that a letter gives the services that need them ({shown}: a child's age or
#: birth year, as the copy names a child without a name).
HOUSEHOLD_PLACEHOLDERS: frozenset[str] = frozenset(
    {"count", "birth", "children", "country", "date", "shown"}
)
#: Placeholders of the "skills" texts: the lines on the qualifications and the reading and
#: writing that a letter gives the recognition advice and the language courses.
SKILLS_PLACEHOLDERS: frozenset[str] = frozenset({"title", "state", "level"})

_REASON_KEYS = ("label", "letter_subject", "letter_body", "client_purpose")
#: Optional: the person's copy where it speaks of one child, and of more than one;
#: ``client_purpose`` is then the wording for a count not known (no children recorded).
_COUNT_KEYS = ("client_purpose_child", "client_purpose_children")
#: Optional: the letter's body and the person's copy for a person without a home of their own
#: (homeless, or in an emergency shelter), where the usual ones speak of "Ihre Wohnung".
_WITHOUT_HOME_KEYS = (
    "letter_subject_without_home",
    "letter_body_without_home",
    "client_purpose_without_home",
)
#: Optional: the letter's body and the person's copy where the person is insured herself and
#: only children need their health insurance cleared, for one child and for more than one
#: (the usual ones say the person's own insurance must be cleared).
_CHILDREN_INSURANCE_KEYS = (
    "letter_body_child_insurance",
    "letter_body_children_insurance",
    "client_purpose_child_insurance",
    "client_purpose_children_insurance",
)
#: Keys the renderer looks up in ``common.yaml``; missing ones are load errors.
REQUIRED_COMMON: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "letter": (
            "info_reference",
            "info_name",
            "info_phone",
            "info_email",
            "info_date",
            "attention",
            "subject_person",
            "subject_person_born",
            "salutation",
            "salutation_contact",
            "intro",
            "label_born",
            "label_id_document_name",
            "label_nationality",
            "label_languages",
            "label_person_phone",
            "note",
            "interpreter",
            "appointment",
            "no_appointment",
            "documents_intro",
            "tax_id_to_come",
            "consent",
            "contact_back",
            "contact_back_open",
            "closing",
            "enclosure",
            "page",
        ),
        "client": (
            "title",
            "greeting",
            "intro",
            "heading_appointment",
            "appointment_when",
            "appointment_contact",
            "appointment_tip",
            "no_appointment",
            "no_appointment_ask_us",
            "appointment_only_phone_web",
            "appointment_only_phone",
            "appointment_only_web",
            "appointment_only_ask_us",
            "heading_where",
            "label_address",
            "label_hours",
            "label_phone",
            "label_email",
            "label_web",
            "label_languages",
            "address_unknown",
            "hours_unknown",
            "hours_ask_us",
            "show_letter",
            "sheet_only",
            "note_in_letter",
            "heading_documents",
            "documents_tip",
            "no_documents",
            "no_documents_sheet",
            "tax_id_to_come",
            "heading_referred_by",
            "questions",
            "label_reference",
            "label_date",
            "page",
        ),
        "household": (
            "label_children",
            "label_children_here",
            "label_children_school",
            "children_count",
            "child_born",
            "lives_with_person",
            "lives_elsewhere_de",
            "lives_home_country",
            "care_too_young",
            "care_daycare",
            "care_waiting_daycare",
            "care_school",
            "care_waiting_school",
            "care_no_place",
            "care_training_work",
            "label_registration",
            "registration_registered",
            "registration_appointment",
            "registration_not_registered",
            "label_housing",
            "housing_homeless",
            "housing_emergency_shelter",
            "label_own_insurance",
            "own_insurance_none",
            "own_insurance_ehic",
            "own_insurance_ehic_from",
            "ehic_valid_until",
            "ehic_expired",
            "copy_ehic_valid_until",
            "copy_ehic_expired",
            "own_insurance_unclear",
            "label_children_insurance",
            "insurance_none",
            "insurance_unclear",
            "documents_children_ehic",
            "documents_of_children",
            "child_tax_id_to_come",
            "letter_child",
            "letter_children",
            "copy_child_tax_id_to_come",
            "copy_children_tax_id_to_come",
            "copy_own_and_children_tax_id_to_come",
            "copy_child_unnamed",
        ),
        "skills": (
            "label_qualifications",
            "label_experience",
            "label_german",
            "label_literacy",
            "original_title",
            "document_yes",
            "document_no",
            "recognition_not_started",
            "recognition_state",
            "literacy",
        ),
        "errors": (
            "reason_missing",
            "reason_unknown",
            "reason_note_missing",
            "person_name_missing",
            "advisor_missing",
            "language_unsupported",
            "service_mismatch",
            "service_unknown",
            "organisation_missing",
            "logo_unreadable",
        ),
    }
)


class LetterTextsError(res.ResourceError):
    """A letter text file that is not valid (see ``file``, ``where``, ``code``)."""


def copy_prints_note(lang: str) -> bool:
    """Whether a person's copy in ``lang`` prints the advisor's note (it is written in German)."""
    return lang == NOTE_LANGUAGE


def _note_in_language(path: Path, texts: LocalizedText, where: str) -> None:
    """Refuse a person's text that prints the note in a language other than the note's own."""
    for lang, template in texts.texts.items():
        used = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        if "reason_note" in used and not copy_prints_note(lang):
            raise res.ResourceError(path, f"{where}.{lang}", "note_not_in_language", lang)


@dataclass(frozen=True)
class ReferralReason:
    """Why a person is referred; carries the texts for the letter and for the person's copy."""

    id: str
    topics: tuple[str, ...]
    label: LocalizedText
    letter_subject: LocalizedText
    letter_body: LocalizedText
    client_purpose: LocalizedText
    #: ``client_purpose`` for exactly one child ("Ihr Kind" where it says "Ihr Kind oder Ihre
    #: Kinder" for a count not known)
    client_purpose_child: LocalizedText | None = None
    #: ``client_purpose`` for more than one child ("Ihre Kinder" for "Ihr Kind")
    client_purpose_children: LocalizedText | None = None
    #: ``letter_subject``, ``letter_body`` and ``client_purpose`` for a person without a home
    #: of their own
    letter_subject_without_home: LocalizedText | None = None
    letter_body_without_home: LocalizedText | None = None
    client_purpose_without_home: LocalizedText | None = None
    #: ``letter_body`` and ``client_purpose`` where the person is insured herself and one
    #: child, or more than one, needs its insurance cleared
    letter_body_child_insurance: LocalizedText | None = None
    letter_body_children_insurance: LocalizedText | None = None
    client_purpose_child_insurance: LocalizedText | None = None
    client_purpose_children_insurance: LocalizedText | None = None
    #: ids of the forms' next steps this reason is the letter of: chosen for a service the step
    #: leads to before the reason of the service's main topic. Not in the repr (a queued
    #: letter's fingerprint): the letter does not show it.
    next_steps: tuple[str, ...] = field(default=(), repr=False)

    def subject(self, lang: str, *, without_home: bool = False) -> str:
        """The letter's subject, for a person without a home where it has a wording for that."""
        if without_home and self.letter_subject_without_home is not None:
            return self.letter_subject_without_home.get(lang)
        return self.letter_subject.get(lang)

    def body(self, lang: str, *, without_home: bool = False, children_insurance: int = 0) -> str:
        """The letter's body, for a person without a home where it has a wording for that, and
        for a person insured herself whose ``children_insurance`` children (0: not that case)
        need their insurance cleared."""
        if text := self._children_insurance("letter_body", children_insurance):
            return text.get(lang)
        if without_home and self.letter_body_without_home is not None:
            return self.letter_body_without_home.get(lang)
        return self.letter_body.get(lang)

    def purpose(
        self, lang: str, children: int, *, without_home: bool = False, children_insurance: int = 0
    ) -> str:
        """What the person's copy says the service does for ``children`` children (0: none
        recorded, the count is not known), for a person without a home, and for a person
        insured herself whose ``children_insurance`` children need their insurance cleared."""
        if text := self._children_insurance("client_purpose", children_insurance):
            return text.get(lang)
        if without_home and self.client_purpose_without_home is not None:
            return self.client_purpose_without_home.get(lang)
        if children == 1 and self.client_purpose_child is not None:
            return self.client_purpose_child.get(lang)
        if children > 1 and self.client_purpose_children is not None:
            return self.client_purpose_children.get(lang)
        return self.client_purpose.get(lang)

    def _children_insurance(self, key: str, count: int) -> LocalizedText | None:
        if count <= 0:
            return None
        text: LocalizedText | None = getattr(
            self, f"{key}_child_insurance" if count == 1 else f"{key}_children_insurance"
        )
        return text

    @property
    def needs_note(self) -> bool:
        """The "other" reason is only the advisor's words: the note must be filled in."""
        return self.id == OTHER_REASON


@dataclass(frozen=True)
class LetterTexts:
    reasons: Mapping[str, ReferralReason]
    #: section ("letter", "client", "household", "skills", "errors") → key → text
    common: Mapping[str, Mapping[str, LocalizedText]]

    def text(self, section: str, key: str, lang: str) -> str:
        return self.common[section][key].get(lang)

    def reasons_for(self, topics: tuple[str, ...]) -> list[ReferralReason]:
        """Every reason, those that fit a service's topics (its main one first) first.

        A reason is about its first topic: those about the service's main topic come first,
        then those about its other topics in their order, then those that only touch one of
        them (vaccinations of children touch the youth office's "children and family", and
        are not what it does), then the rest. Within a rank, a reason all of whose topics the
        service covers comes first; then the order of ``reasons.yaml``.
        """
        order = {reason.id: i for i, reason in enumerate(self.reasons.values())}

        def rank(reason: ReferralReason) -> tuple[int, int, int]:
            main = reason.topics[0] if reason.topics else ""
            if main in topics:
                about = topics.index(main)
            elif set(reason.topics) & set(topics):
                about = len(topics)
            else:
                about = len(topics) + 1
            outside = len(set(reason.topics) - set(topics))
            return about, outside, order[reason.id]

        return sorted(self.reasons.values(), key=rank)

    def suggested_reason(self, topics: tuple[str, ...]) -> ReferralReason | None:
        """The reason to pre-select for a service: the one about its main topic (its first),
        if there is one; else none, and the advisor chooses."""
        if not topics:
            return None
        best = self.reasons_for(topics)[0]
        return best if best.topics and best.topics[0] == topics[0] else None

    def reason_for_steps(
        self, steps: Sequence[str], topics: tuple[str, ...]
    ) -> ReferralReason | None:
        """The reason of a service's letter that one of the accepted next ``steps`` leading to
        it names (among those that fit the service's ``topics``, in their order), if any."""
        if not steps:
            return None
        fitting = [r for r in self.reasons_for(topics) if set(r.topics) & set(topics)]
        return next((r for r in fitting if set(r.next_steps) & set(steps)), None)

    def error_message(self, key: str, lang: str) -> str:
        """The user-facing text of a ``LetterError`` key (``letter.reason_missing`` …)."""
        return self.text("errors", key.removeprefix("letter."), lang)


def load_letter_texts(folder: Path | None = None) -> LetterTexts:
    """Read and validate ``reasons.yaml`` and ``common.yaml``."""
    folder = folder or resource("letters")
    try:
        return LetterTexts(
            reasons=MappingProxyType(_load_reasons(folder / "reasons.yaml")),
            common=MappingProxyType(_load_common(folder / "common.yaml")),
        )
    except LetterTextsError:
        raise
    except res.ResourceError as exc:
        raise LetterTextsError(exc.file, exc.where, exc.code, exc.detail) from exc


@cache
def default_letter_texts() -> LetterTexts:
    return load_letter_texts()


def load_organisation(path: Path | None = None) -> Organisation:
    """The default letterhead, ``resources/letters/organisation.yaml``; settings override it."""
    path = path or resource("letters", "organisation.yaml")
    try:
        data = res.mapping(path, res.read_yaml(path), "")
        res.no_unknown_keys(
            path,
            data,
            {"name", "subtitle", "address_lines", "phone", "email", "web", "logo_path"},
            "",
        )
        logo = res.text(path, data.get("logo_path"), "logo_path", required=False)
        return Organisation(
            name=res.text(path, data.get("name"), "name"),
            subtitle=res.text(path, data.get("subtitle"), "subtitle", required=False),
            address_lines=res.text_list(path, data.get("address_lines"), "address_lines"),
            phone=res.text(path, data.get("phone"), "phone", required=False),
            email=res.text(path, data.get("email"), "email", required=False),
            web=res.text(path, data.get("web"), "web", required=False),
            logo_path=logo or None,
        )
    except LetterTextsError:
        raise
    except res.ResourceError as exc:
        raise LetterTextsError(exc.file, exc.where, exc.code, exc.detail) from exc


def _checked(
    path: Path, value: Any, where: str, placeholders: frozenset[str] = PLACEHOLDERS
) -> LocalizedText:
    texts = res.localized(path, value, where)
    for lang, template in texts.texts.items():
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        except ValueError as exc:  # a lone "{" or "}"
            raise res.ResourceError(path, f"{where}.{lang}", "bad_placeholder", str(exc)) from exc
        for name in fields:
            if name not in placeholders:
                raise res.ResourceError(
                    path, f"{where}.{lang}", "unknown_placeholder", name or "{}"
                )
    return texts


def _load_reasons(path: Path) -> dict[str, ReferralReason]:
    data = res.mapping(path, res.read_yaml(path), "")
    res.no_unknown_keys(path, data, {"reasons"}, "")
    entries = res.mapping(path, data.get("reasons"), "reasons")
    if OTHER_REASON not in entries:
        raise res.ResourceError(path, f"reasons.{OTHER_REASON}", "missing")
    reasons: dict[str, ReferralReason] = {}
    for ident, raw in entries.items():
        where = f"reasons.{ident}"
        entry = res.mapping(path, raw, where)
        res.no_unknown_keys(
            path,
            entry,
            {
                "topics",
                "next_steps",
                *_REASON_KEYS,
                *_COUNT_KEYS,
                *_WITHOUT_HOME_KEYS,
                *_CHILDREN_INSURANCE_KEYS,
            },
            where,
        )
        for key in _REASON_KEYS:
            if key not in entry:
                raise res.ResourceError(path, f"{where}.{key}", "missing")
        reasons[str(ident)] = ReferralReason(
            id=str(ident),
            topics=res.text_list(path, entry.get("topics"), f"{where}.topics"),
            next_steps=res.text_list(path, entry.get("next_steps"), f"{where}.next_steps"),
            **{key: _checked(path, entry[key], f"{where}.{key}") for key in _REASON_KEYS},
            client_purpose_child=_optional(path, entry, "client_purpose_child", where),
            client_purpose_children=_optional(path, entry, "client_purpose_children", where),
            letter_subject_without_home=_optional(
                path, entry, "letter_subject_without_home", where
            ),
            letter_body_without_home=_optional(path, entry, "letter_body_without_home", where),
            client_purpose_without_home=_optional(
                path, entry, "client_purpose_without_home", where
            ),
            letter_body_child_insurance=_optional(
                path, entry, "letter_body_child_insurance", where
            ),
            letter_body_children_insurance=_optional(
                path, entry, "letter_body_children_insurance", where
            ),
            client_purpose_child_insurance=_optional(
                path, entry, "client_purpose_child_insurance", where
            ),
            client_purpose_children_insurance=_optional(
                path, entry, "client_purpose_children_insurance", where
            ),
        )
        purposes = [k for k in _CHILDREN_INSURANCE_KEYS if k.startswith("client_purpose")]
        for key in ("client_purpose", *_COUNT_KEYS, "client_purpose_without_home", *purposes):
            purpose = getattr(reasons[str(ident)], key)
            if purpose is not None:
                _note_in_language(path, purpose, f"{where}.{key}")
    return reasons


def _optional(path: Path, entry: Mapping[str, Any], key: str, where: str) -> LocalizedText | None:
    return _checked(path, entry[key], f"{where}.{key}") if key in entry else None


def _load_common(path: Path) -> dict[str, Mapping[str, LocalizedText]]:
    data = res.mapping(path, res.read_yaml(path), "")
    res.no_unknown_keys(path, data, set(REQUIRED_COMMON), "")
    common: dict[str, Mapping[str, LocalizedText]] = {}
    for section, keys in REQUIRED_COMMON.items():
        entries = res.mapping(path, data.get(section), section)
        res.no_unknown_keys(path, entries, set(keys), section)
        for key in keys:
            if key not in entries:
                raise res.ResourceError(path, f"{section}.{key}", "missing")
        allowed = {"household": HOUSEHOLD_PLACEHOLDERS, "skills": SKILLS_PLACEHOLDERS}.get(
            section, PLACEHOLDERS
        )
        common[section] = MappingProxyType(
            {key: _checked(path, entries[key], f"{section}.{key}", allowed) for key in keys}
        )
    for key, texts in common["client"].items():
        _note_in_language(path, texts, f"client.{key}")
    return common

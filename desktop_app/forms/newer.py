"""Answers recorded with a newer version of a form than the one in force here.

A laptop not yet updated (or without the coordinator's latest publication) opens visits that
another laptop recorded with a newer definition: answers to questions it does not have, an
option it does not know, a group entry's answer it does not ask. It can neither show nor check
them, and a save must not drop them (the loss would sync to every laptop): what this laptop can
show is edited, the rest is put back as it was stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from desktop_app.forms.definition import FieldDef, FieldType, FormDefinition, form_from_mapping

Lookup = Callable[[str], FieldDef | None]


def unknown_answers(definition: FormDefinition, answers: Any) -> dict[str, Any]:
    """The answers (whole, by field id) that ``definition`` cannot show as they are: to a field
    it does not have, with an option it does not have, or a group entry holding either."""
    return _unknown(_fields_of(definition), answers)


def shown_answers(definition: FormDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """``answers`` as ``definition`` can show them: answers to fields it does not have left
    out, options and group answers it does not have taken out of the others."""
    shown: dict[str, Any] = {}
    for key, value in answers.items():
        field = _fields_of(definition)(key) if isinstance(key, str) else None
        if field is not None and (part := _shown(field, value)) is not None:
            shown[key] = part
    return shown


def with_unknown_kept(
    definition: FormDefinition, answers: Mapping[str, Any], stored: Mapping[str, Any]
) -> dict[str, Any]:
    """``answers`` (checked under ``definition``, edited from ``stored``) with what of
    ``stored`` the definition cannot show put back unchanged: an answer to a field it does not
    have; an option it does not have, beside the known ones answered now; a group entry's
    answers it does not have, on the entry they belonged to (the same known answers, else the
    same place in a list as long as before). A known choice answered now replaces an unknown
    one: the user chose it."""
    return _kept(_fields_of(definition), answers, stored)


def _fields_of(definition: FormDefinition) -> Lookup:
    def lookup(key: str) -> FieldDef | None:
        try:
            return definition.field(key)
        except KeyError:
            return None

    return lookup


def _unknown(lookup: Lookup, answers: Any) -> dict[str, Any]:
    if not isinstance(answers, Mapping):
        return {}
    found: dict[str, Any] = {}
    for key, value in answers.items():
        field = lookup(key) if isinstance(key, str) else None
        if field is None or _shown(field, value) != _plain(value):
            found[key] = value
    return found


def _kept(lookup: Lookup, answers: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(answers)
    for key, value in _unknown(lookup, stored).items():
        field = lookup(key)
        mine = result.get(key)
        if field is None or key not in result:
            result[key] = value
        elif field.type == FieldType.MULTI_CHOICE and isinstance(value, list):
            known = list(mine) if isinstance(mine, list) else []
            result[key] = known + [v for v in value if v not in known and not _knows(field, v)]
        elif field.type == FieldType.GROUP and isinstance(value, list) and isinstance(mine, list):
            result[key] = _entries_kept(field, mine, value)
    return result


def _entries_kept(group: FieldDef, entries: list[Any], stored: list[Any]) -> list[Any]:
    olds = [e if isinstance(e, Mapping) else {} for e in stored]
    shown = [_entry_shown(group, e) for e in olds]
    used: set[int] = set()
    kept: list[Any] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            kept.append(entry)
            continue
        match = next(
            (i for i, part in enumerate(shown) if i not in used and part == dict(entry)), None
        )
        if match is None and len(entries) == len(olds) and index not in used:
            match = index
        if match is None:
            kept.append(entry)
            continue
        used.add(match)
        kept.append(_kept(group.subfield, entry, olds[match]))
    return kept


def _knows(field: FieldDef, option: Any) -> bool:
    return not isinstance(option, str) or option in field.option_ids()


def _plain(value: Any) -> Any:
    """A value as compared with its shown part (an empty one is not shown at all)."""
    return None if value in ("", [], {}) else value


def _shown(field: FieldDef, value: Any) -> Any:
    """The part of one answer ``field`` can show; None where nothing is left."""
    if field.type == FieldType.SINGLE_CHOICE:
        return _plain(value) if _knows(field, value) else None
    if field.type == FieldType.MULTI_CHOICE and isinstance(value, list):
        return _plain([v for v in value if _knows(field, v)])
    if field.type == FieldType.GROUP and isinstance(value, list):
        return _plain([_entry_shown(field, e) if isinstance(e, Mapping) else e for e in value])
    return _plain(value)


def _entry_shown(group: FieldDef, entry: Mapping[str, Any]) -> dict[str, Any]:
    part = {}
    for sub_id, sub_value in entry.items():
        sub = group.subfield(sub_id) if isinstance(sub_id, str) else None
        if sub is not None and (shown := _shown(sub, sub_value)) is not None:
            part[sub_id] = shown
    return part


def recorded_in(
    known: Iterable[FormDefinition],
    in_force: FormDefinition | None,
    version: object,
    answers: object,
) -> FormDefinition | None:
    """The definition whose words a visit's ``answers``, recorded with ``version`` of the form
    ``in_force`` is in force of, were given in: among ``known`` (the shipped forms, those in
    force), that form's definition of that version, where it names every answer; else
    ``in_force``. A choice a coordinator reworded since ("partly, slowly" became "partly: reads
    slowly, writes with help") is told in the words the person was asked in."""
    if in_force is None or not isinstance(version, int) or version == in_force.version:
        return in_force
    for definition in known:
        if definition.id == in_force.id and definition.version == version:
            return in_force if unknown_answers(definition, answers) else definition
    return in_force


_WORDS = ("label", "help", "add_label", "reason")


def worded_as(definition: FormDefinition, older: FormDefinition) -> FormDefinition:
    """``definition`` with the words of ``older`` (an earlier version of the same form) where
    it has the same section, question, choice or next step: for showing a visit recorded with
    ``older`` as it was asked, while its questions and rules stay ``definition``'s (what a
    correction is checked by). Questions and choices added since keep their own words."""
    if older.id != definition.id or older is definition:
        return definition
    data = definition.model_dump(mode="json", exclude_unset=True)
    before = older.model_dump(mode="json", exclude_unset=True)
    for key in ("sections", "next_steps"):
        _reword(data.get(key), before.get(key))
    return form_from_mapping(data, source=f"{definition.id}.yaml")


def _reword(items: Any, olds: Any) -> None:
    if not isinstance(items, list) or not isinstance(olds, list):
        return
    by_id = {o.get("id"): o for o in olds if isinstance(o, dict)}
    for item in items:
        old = by_id.get(item.get("id")) if isinstance(item, dict) else None
        if old is None:
            continue
        for word in _WORDS:
            if word in item and word in old:
                item[word] = old[word]
        for key in ("fields", "options"):
            _reword(item.get(key), old.get(key))

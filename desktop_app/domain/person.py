"""A person who comes to an advice session, as the advisor records them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from desktop_app.domain.dates import PartialDate


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    DIVERSE = "diverse"
    NOT_STATED = "not_stated"


@dataclass(frozen=True)
class PersonDraft:
    """What a user enters to register or edit a person (not yet validated)."""

    given_name: str
    family_name: str
    date_of_birth: str = ""  # as typed: "1985", "1985-03", "14.03.1985" …
    sex: str = ""
    nationality: str = ""  # ISO 3166-1 alpha-2, e.g. "BG", "RO"
    languages: tuple[str, ...] = ()  # ISO 639-1, e.g. ("bg", "tr")
    phone: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Person:
    """A registered person. Names are kept exactly as written, in any script."""

    id: str
    given_name: str
    family_name: str
    date_of_birth: PartialDate | None = None
    sex: Sex | None = None
    nationality: str = ""
    languages: tuple[str, ...] = ()
    phone: str = ""
    notes: str = ""
    revision: int = 1
    updated_hlc: str = ""
    device_id: str = ""
    author_id: str = ""
    deleted: bool = False
    field_clocks: dict[str, str] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}".strip(", ")

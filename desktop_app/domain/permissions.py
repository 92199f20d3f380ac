"""Who may do what: the permissions table of the three roles, checked by every use case.

The UI hides what a role may not do, but the use-case layer is where the rule holds: a use case
calls ``require(user, Action.X)`` before touching data and ``PermissionDenied`` stops it.
"""

from __future__ import annotations

import enum

from desktop_app.domain.users import Role, User

# Form sections and fields can carry one of these marks (``restricted:`` in resources/forms).
RESTRICTED_KINDS = ("health", "exploitation")


class Action(enum.StrEnum):
    REGISTER_PERSON = "register_person"
    VIEW_PERSON = "view_person"
    EDIT_PERSON = "edit_person"
    FILL_FORMS = "fill_forms"
    PREPARE_REFERRAL = "prepare_referral"
    SIGN_REFERRAL = "sign_referral"
    PRINT = "print"
    VIEW_RESTRICTED = "view_restricted"  # health / exploitation sections
    OPEN_CASE_TO_HELPER = "open_case_to_helper"
    EXPORT_PERSON = "export_person"
    # Decide that two entries of the same name and date of birth are different people.
    DECIDE_DUPLICATES = "decide_duplicates"
    ERASE_PERSON = "erase_person"
    # Record a person's request about their data (a copy, a correction, an erasure) in the
    # register of requests, so that its month runs from the day the person asked; carrying
    # out an erasure stays ``ERASE_PERSON``.
    RECORD_DATA_REQUEST = "record_data_request"
    CONFIRM_RETENTION = "confirm_retention"
    MANAGE_USERS = "manage_users"
    MANAGE_DIRECTORY = "manage_directory"
    MANAGE_LAPTOPS = "manage_laptops"
    VIEW_REPORTS = "view_reports"
    VIEW_REPORT_CASES = "view_report_cases"  # the people behind a report figure, by name
    VIEW_AUDIT = "view_audit"
    BACKUP = "backup"
    # The organisation's letterhead and the laptop's idle lock and sync server address.
    MANAGE_SETTINGS = "manage_settings"


_HELPER = frozenset(
    {
        Action.REGISTER_PERSON,
        Action.VIEW_PERSON,
        Action.EDIT_PERSON,
        Action.FILL_FORMS,
        Action.PREPARE_REFERRAL,
        Action.PRINT,
    }
)
_ADVISOR = _HELPER | {
    Action.SIGN_REFERRAL,
    Action.VIEW_RESTRICTED,
    Action.OPEN_CASE_TO_HELPER,
    Action.EXPORT_PERSON,
    Action.DECIDE_DUPLICATES,
    Action.RECORD_DATA_REQUEST,
}
_COORDINATOR = _ADVISOR | {
    Action.ERASE_PERSON,
    Action.CONFIRM_RETENTION,
    Action.MANAGE_USERS,
    Action.MANAGE_DIRECTORY,
    Action.MANAGE_LAPTOPS,
    Action.VIEW_REPORTS,
    Action.VIEW_REPORT_CASES,
    Action.VIEW_AUDIT,
    Action.BACKUP,
    Action.MANAGE_SETTINGS,
}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.HELPER: _HELPER,
    Role.ADVISOR: frozenset(_ADVISOR),
    Role.COORDINATOR: frozenset(_COORDINATOR),
}


class PermissionDenied(Exception):
    """The user's role does not allow the action; ``code`` is a key for a translated message."""

    code = "permission_denied"

    def __init__(self, action: Action | str, detail: str = "") -> None:
        super().__init__(f"{action}{': ' + detail if detail else ''}")
        self.action = str(action)


def allowed(user: User, action: Action) -> bool:
    if action is Action.MANAGE_USERS and user.keeps_accounts:
        # The laptop's own accounts stay in the hands of its first account also where the
        # laptop was approved for a lower role (roles given only up to it: ``add_user``).
        return True
    return action in PERMISSIONS.get(user.role, frozenset())


def require(user: User, action: Action) -> None:
    """Raise ``PermissionDenied`` unless the user's role allows ``action``."""
    if not allowed(user, action):
        raise PermissionDenied(action)


def may_read_restricted(user: User, kind: str | None, opened_kinds: frozenset[str]) -> bool:
    """Whether the user may read a section marked ``kind`` (None: not restricted).

    ``opened_kinds`` are the restriction kinds an advisor opened to this helper for this person.
    """
    if kind is None:
        return True
    if allowed(user, Action.VIEW_RESTRICTED):
        return True
    return kind in opened_kinds

"""Sentences for the stable message codes that the lower layers raise, in the UI language."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from desktop_app.domain.clock_check import rounded
from desktop_app.domain.validation import FieldError
from desktop_app.i18n.text import (
    N_,
    Nn_,
    PluralMessage,
    _,
    format_message,
    gettext_in,
    ngettext,
)

log = logging.getLogger(__name__)

_FIELD_MESSAGES: dict[str, str | PluralMessage] = {
    "required": N_("This field is required."),
    "too_long": Nn_(
        "This is too long (at most {max} character).",
        "This is too long (at most {max} characters).",
        "max",
    ),
    "control_characters": N_("This contains invisible control characters; please retype it."),
    "no_letters": N_("A name needs at least one letter."),
    "mixed_scripts": N_(
        "A word here mixes Latin and Cyrillic letters; please type it in one alphabet."
    ),
    "latin_letters_only": N_(
        "Please type the name in Latin letters, as the ID card or passport spells it."
    ),
    "date_format": N_("Please enter a date as DD.MM.YYYY or MM.YYYY, or only the year (YYYY)."),
    "date_impossible": N_("This date does not exist."),
    "date_day_without_month": N_("A day needs a month."),
    "date_in_future": N_("This date lies in the future."),
    "date_before_1900": N_("This date is before 1900."),
    "appointment_before_issue": N_(
        "The appointment lies before the day the referral was issued; please check the date."
    ),
    "appointment_too_far_ahead": Nn_(
        "The appointment lies more than {years} year ahead; please check the year.",
        "The appointment lies more than {years} years ahead; please check the year.",
        "years",
    ),
    "outcome_required": N_("Please write down the outcome, or choose another status."),
    "not_an_option": N_("Please choose one of the options."),
    "phone_characters": N_("A phone number may contain only digits, spaces and + - / ( )."),
    "phone_length": N_("A phone number has between 5 and 15 digits."),
    "account_invalid": N_("Please use a shorter account name without special characters."),
    "password_too_short": Nn_(
        "The password needs at least {min} character.",
        "The password needs at least {min} characters.",
        "min",
    ),
    "passwords_differ": N_("The two passwords are not the same."),
    "account_taken": N_("This account name is already in use."),
}

_ERROR_MESSAGES = {
    "wrong_password": N_("The account name or password is not correct."),
    "unknown_account": N_("The account name or password is not correct."),
    "corrupt_keyslots": N_(
        "The key file of this data folder is damaged. Nothing was changed; please contact "
        "your coordinator (a backup or the recovery code is needed)."
    ),
    "not_a_store": N_(
        "This data folder holds a file that is not a Welcome Desk database, or it is damaged. "
        "It was not changed."
    ),
    "store_missing": N_("The database file of this data folder is missing."),
    "store_exists": N_("This data folder already holds a database."),
    "newer_schema": N_(
        "This data was written by a newer version of Welcome Desk. Please update the program."
    ),
    "keyslots_exist": N_("This data folder is already set up."),
    "login_delayed": N_("Too many failed attempts. Please wait a moment and try again."),
    "permission_denied": N_("Your role does not allow this."),
    "person_not_found": N_("This person is no longer in the records."),
    "person_erased": N_(
        "The person was erased meanwhile (here or by a sync); there is nothing left to change."
    ),
    "helper_removed": N_(
        "A helper account in this list was removed meanwhile. Nothing was saved: close this "
        "window and open it again."
    ),
    "wrong_passphrase": N_(
        "The passphrase does not fit this backup. Type the passphrase chosen when the backup "
        "was written (capital and small letters count)."
    ),
    "not_a_backup": N_(
        "This file is not a Welcome Desk backup. Choose the backup file (its name ends in "
        "“.wdbackup”)."
    ),
    "backup_damaged": N_(
        "This backup is damaged (cut short or altered) and cannot be restored. Nothing was "
        "restored; choose another backup, such as an earlier one."
    ),
    "backup_unreadable": N_("The backup file cannot be read."),
}


def field_message(error: FieldError) -> str:
    template = _FIELD_MESSAGES.get(error.code)
    if template is None:
        return error.code
    return format_message(template, error.params)


def error_message(code: str) -> str:
    template = _ERROR_MESSAGES.get(code)
    return _(template) if template else _("Something went wrong ({code}).").format(code=code)


_SYNC_MESSAGES = {
    "not_joined": N_("This laptop has not joined a sync server yet."),
    "already_joined": N_("This laptop has already joined a sync server."),
    # Two joins at once on one laptop (the window's, ``welcome-desk join``): each spent a code.
    "join_running": N_(
        "This laptop is joining already, in a Welcome Desk window or with welcome-desk join. "
        "Wait until that has finished. No enrollment code was used here."
    ),
    "still_known": N_(
        "The sync server still knows this laptop and lets it sync: joining again would make "
        "it a second laptop there. Sync as usual instead."
    ),
    "not_approved": N_(
        "This laptop is waiting for a coordinator's approval. Compare the fingerprint shown "
        "here with the one on the coordinator's screen."
    ),
    "insecure_url": N_("The server address must start with https:// (encrypted connection)."),
    "bad_url": N_("This is not a server address (https://…)."),
    "unknown_device": N_("There is no laptop with this id on the server."),
    "fingerprint_mismatch": N_(
        "The fingerprint does not match this laptop. Do not approve it; ask who set it up."
    ),
    "no_team_key": N_("This laptop holds no team key to hand on."),
    "revoked_laptop": N_(
        "This laptop was revoked and cannot be approved again. It can join anew with a new code."
    ),
    "own_laptop": N_("A laptop cannot revoke itself. Revoke it from another coordinator's laptop."),
    "unknown_conflict": N_("This conflict was already decided."),
    "confirm_coordinator": N_(
        "A coordinator's laptop approved this laptop. Compare that laptop's fingerprint and "
        "confirm it here before this laptop syncs."
    ),
    "bad_code": N_(
        "This is not an enrollment code. A code has 16 letters and digits, such as "
        "K7QX-2MPA-9TZD-4HRB."
    ),
    "code_lookalike": N_(
        "Enrollment codes have no O, 0, I or 1, which are easily mistaken. Please compare the "
        "code with the one you were given."
    ),
    "bad_device_name": N_(
        "The name of this laptop must have 1 to 100 characters, without control characters."
    ),
    "bad_new_laptop_name": N_(
        "The name of the new laptop must have 1 to 100 characters, without control characters."
    ),
    # A server from before coordinators' laptops could ask it for an enrollment code.
    "codes_server_too_old": N_(
        "The sync server is older than this Welcome Desk and gives enrollment codes only to "
        "whoever runs it. Ask them for a code, or to update the server."
    ),
    "publisher_not_coordinator": N_(
        "The sync server takes the service directory and form definitions only from a "
        "coordinator's laptop: what was published here stays on this laptop. Everything else "
        "is sent with the next sync."
    ),
    "server_too_old": N_(
        "The sync server is older than this Welcome Desk and cannot keep the role a laptop is "
        "approved for. Nothing was sent. Ask whoever runs the server to update it."
    ),
    "role_not_coordinator": N_(
        "This laptop was enrolled with a coordinator's code: approve it for coordinators, or "
        "let it join again with an ordinary code."
    ),
    # Lowering a laptop's role (``usecases.sync.change_laptop_role``).
    "role_not_lower": N_(
        "A laptop's role can only be lowered here. To give it more rights, it joins again with "
        "a new enrollment code and is approved for the higher role."
    ),
    "same_role": N_("The laptop is approved for this role already: nothing was changed."),
    "own_laptop_role": N_(
        "A laptop cannot change its own role. Change it from another coordinator's laptop."
    ),
    "not_approved_laptop": N_(
        "This laptop is not approved yet: choose who uses it when you approve it."
    ),
    "not_vouched": N_(
        "The team's records do not vouch for this laptop under the team key in use (a renewal "
        "left it out, or its approval has not reached this laptop yet). Sync, or approve it "
        "again after comparing its fingerprint, then change its role."
    ),
    "coordinator_code_role": N_(
        "This laptop was enrolled with a coordinator's code and stays a coordinator's laptop. "
        "For a lower role, revoke it and let it join again with an ordinary code."
    ),
    "not_coordinator_laptop": N_(
        "Only the laptop of a coordinator can do this. Do it on your coordinator's laptop."
    ),
    "server_too_old_role": N_(
        "The sync server is older than this Welcome Desk and cannot change a laptop's role. "
        "Nothing was changed. Ask whoever runs the server to update it."
    ),
    "nothing_to_confirm": N_(
        "No team key is waiting for confirmation. Sync once the coordinator has approved this "
        "laptop, then confirm."
    ),
}
# Why a connection to the sync server failed: each asks something else of the user (wait, or
# fix the network, or fetch help), so none may pass for another.
_CONNECTION_MESSAGES = {
    "offline": N_("The sync server cannot be reached. Nothing was lost."),
    # The connection was made and broke off in the middle of a request (``ConnectionLost``):
    # "cannot be reached" sent the user to look for a network that was there.
    "lost": N_("The connection to the sync server was made and then broke off. Nothing was lost."),
    # Not when it is tried again: the status bar's tooltip says that with the time of the next
    # try, after this (it said "it is tried again automatically" and then "It is tried again by
    # itself at about 15:50"), and a command run by hand is not tried again by itself.
    "server_fault": N_(
        "The sync server has a fault. Nothing was lost. If it lasts, tell your coordinator."
    ),
    "certificate": N_(
        "The sync server's certificate is not valid. Nothing was sent. On a public Wi-Fi, log "
        "in to it first; otherwise ask your coordinator."
    ),
}
# What a failed connection shows of a mistyped address (``http_client.connect_hint``), said
# after "cannot be reached", which alone sent the user to check a network that was fine.
_ADDRESS_HINTS = {
    "not_tls": N_(
        "The server does not answer with https at this address; ask whoever runs it for the "
        "right address."
    ),
    "no_port": N_("Check the address: does it need a port, such as :8443?"),
}
# The sync server's refusals (its stable ``code``), in words the user can act on.
_REFUSAL_MESSAGES = {
    "enrollment_invalid": N_(
        "The server does not accept this enrollment code: it is mistyped, has expired or was "
        "used already. Check it, or ask your coordinator for a new one."
    ),
    "invalid": N_(
        "The server did not accept what was entered. An enrollment code has letters, digits "
        "and dashes; the name of the laptop at most 100 characters."
    ),
    # Also to a laptop approved before laptops had roles (its accounts have every right on
    # it): it was told to use "your coordinator's laptop", and to one approved for
    # coordinators before the server made such a laptop a coordinator's.
    "not_coordinator": N_(
        "The sync server lets only a coordinator's laptop do this: one that joined with a "
        "coordinator's code, or that a coordinator's laptop approved for coordinators. Do it "
        "on such a laptop."
    ),
    "revoked": N_("This laptop was revoked and no longer syncs. Ask your coordinator."),
    # A coordinator's laptop asked for one more code while many it asked for are neither used
    # nor expired (the server's bound is per laptop).
    "too_many_codes": N_(
        "This laptop has asked for many enrollment codes that are not used yet, and the sync "
        "server gives it no more for now. Use a code you were given already, or try again once "
        "they have expired (after 24 hours)."
    ),
    # ... or while the organisation's laptops and the server's operator together made many.
    "too_many_codes_all": N_(
        "The sync server holds many enrollment codes that are not used yet, and gives no more "
        "for now. Use a code you were given already, or try again once they have expired "
        "(after 24 hours)."
    ),
    # A key this laptop sent, refused as its sender is not the public key the server holds for
    # this laptop: the server's operator swapped it, or someone else did (``sender_not_uploader``).
    "sender_not_uploader": N_(
        "The sync server refused the key this laptop sent: it does not hold this laptop's key "
        "as it was registered. Nothing was stored. Tell your team's administrator: the server "
        "may have been tampered with."
    ),
    "unauthorized": N_(
        "The sync server does not know this laptop (any more). If it was restored from a "
        "backup, ask your coordinator for a new enrollment code and join again: what is "
        "recorded here stays and is sent once the laptop is approved."
    ),
}
_REFUSED = N_("The sync server refused the request. If it happens again, ask your coordinator.")
# The server answered in a way this laptop does not understand (not the wire format it knows).
_NOT_UNDERSTOOD = N_(
    "The sync server's answer was not understood: the address may lead to another server, or "
    "the server runs another version of Welcome Desk. If it lasts, tell your coordinator."
)


def not_understood_message() -> str:
    return _(_NOT_UNDERSTOOD)


def code_for_helpers(code: str) -> str:
    """A failure's stable code (an HTTP status, the server's code), never an exception's name
    or text: for whoever helps the user, after the sentence that explains it."""
    return _("Code for whoever helps: {code}").format(code=code)


def connection_message(kind: str) -> str:
    """``kind``: "offline", "lost", "server_fault" or "certificate"."""
    return _(_CONNECTION_MESSAGES.get(kind, _CONNECTION_MESSAGES["offline"]))


def offline_message(hint: str = "") -> str:
    """``connection_message("offline")``, then what the failure shows of the address typed
    (``Offline.hint``), if anything."""
    template = _ADDRESS_HINTS.get(hint)
    offline = connection_message("offline")
    return f"{offline} {_(template)}" if template else offline


# The team key waits for a person here to confirm the laptop that sent it, and whoever is
# logged in may not (a helper or an advisor): the status bar and ``welcome-desk sync`` asked
# them to confirm it, and the dialog or command they named then refused them.
_COORDINATOR_TO_CONFIRM = N_(
    "A coordinator's laptop approved this laptop. Before this laptop syncs, a coordinator has "
    "to log in here and confirm that laptop's fingerprint ({confirm})."
)


# A coordinator's laptop not confirmed here lowered this laptop's role (``SyncStatus.
# role_lowerings``): taken only once that laptop is confirmed here, by whom (``confirm``: the
# menu entry, the command). It was ignored without a word.
_ROLE_LOWERED_TO_CONFIRM = N_(
    "The coordinator's laptop “{name}” changed this laptop's role to {role}. This laptop takes "
    "the change once that laptop's fingerprint has been confirmed here ({confirm})."
)
_ROLE_LOWERED_COORDINATOR_TO_CONFIRM = N_(
    "The coordinator's laptop “{name}” changed this laptop's role to {role}. This laptop takes "
    "the change once a coordinator has logged in here and confirmed that laptop's fingerprint "
    "({confirm})."
)


def role_lowered_message(name: str, role: str, where: str, *, may_confirm: bool) -> str:
    """That the coordinator's laptop ``name`` lowered this laptop's role to ``role`` and waits
    to be confirmed at ``where``; by this user, or (``may_confirm`` False) by a coordinator."""
    template = _ROLE_LOWERED_TO_CONFIRM if may_confirm else _ROLE_LOWERED_COORDINATOR_TO_CONFIRM
    return _(template).format(name=name, role=laptop_role_name(role), confirm=where)


def coordinator_to_confirm(where: str) -> str:
    """For a user who may not confirm the coordinator's laptop: a coordinator has to, at
    ``where`` (the menu entry, the command)."""
    return _(_COORDINATOR_TO_CONFIRM).format(confirm=where)


def refusal_message(code: str, default: str = _REFUSED) -> str:
    """A refusal of the sync server; ``default`` (untranslated) for a code not listed."""
    if code == "publisher_not_coordinator":  # what stays on the laptop, said as the sync says it
        return sync_message(code)
    return _(_REFUSAL_MESSAGES.get(code, default))


# Who uses a laptop, as the coordinator approving it chooses (``usecases.sync.approve_device``).
LAPTOP_ROLE_NAMES = {
    "helper": N_("Student helpers"),
    "advisor": N_("Advisors"),
    "coordinator": N_("Coordinators"),
}
_LOWERED_MESSAGES = {
    "helper": N_(
        "This laptop was approved for student helpers: you work here as a student helper."
    ),
    "advisor": N_("This laptop was approved for advisors: you work here as an advisor."),
}


def laptop_role_name(role: str) -> str:
    """The name of a laptop's role as a group of people ("Student helpers")."""
    return _(LAPTOP_ROLE_NAMES.get(role, role))


# A laptop approved before laptops had roles, that no coordinator chose one for since
# (``usecases.sync.has_no_role``): in the Laptops dialog and ``welcome-desk devices``.
NO_ROLE_YET = N_("no role chosen yet")


def no_role_yet() -> str:
    return _(NO_ROLE_YET)


def laptops_without_role_message(count: int, where: str) -> str:
    """For a coordinator: approved laptops that joined before laptops had roles (``usecases.
    sync.has_no_role``); nothing limits what the accounts on them may do, and nothing said so.
    ``where``: the menu path to the Laptops dialog."""
    from desktop_app.i18n.formatting import format_number

    return ngettext(
        "{count} laptop joined before laptops had roles and has no role chosen yet: every "
        "account on it works with its full rights. Choose who uses it in {where}.",
        "{count} laptops joined before laptops had roles and have no role chosen yet: every "
        "account on them works with its full rights. Choose who uses them in {where}.",
        count,
    ).format(count=format_number(count), where=where)


def own_role_unset_message() -> str:
    """For a coordinator on a laptop that joined before laptops had roles and was given none
    since (``usecases.sync.own_role_unset``): it keeps its full rights until one is chosen."""
    return _(
        "This laptop joined before laptops had roles and has no role chosen yet: every account "
        "on it works with its full rights. Choose who uses it in the list of laptops on a "
        "coordinator's laptop."
    )


def lowered_role_message(ceiling: str) -> str:
    """Said to an account whose role this laptop's role lowers."""
    return _(_LOWERED_MESSAGES.get(ceiling, _LOWERED_MESSAGES["helper"]))


# Where the laptop being joined confirms the coordinator's laptop, a code means that side.
_CONFIRM_MESSAGES = {
    "fingerprint_mismatch": N_(
        "This is not the fingerprint of the laptop that sent the team key. Do not use that "
        "key; ask your coordinator."
    ),
}


# Why a rotation left out a laptop the server lists as approved (``sync.laptops``' verdicts).
_NOT_GIVEN_REASONS = {
    "not_known": N_(
        "the team has no record of it: nobody approved it by its fingerprint, or it has not "
        "synced since it was approved"
    ),
    "other_key": N_(
        "the server gives it another key than the one the team knows: it may be another device"
    ),
    "revoked": N_("it was revoked, though the server lists it as approved"),
    "not_current": N_("it does not hold the team key in use: an earlier renewal left it out"),
}


def laptops_not_given_the_key(laptops: list[tuple[str, str, str]]) -> list[str]:
    """After a rotation: a heading and one line per laptop left out (name, device id, reason),
    or nothing when every laptop got the new key."""
    # Here, not at the top: importing formatting loads Babel.
    from desktop_app.i18n.formatting import format_number

    if not laptops:
        return []
    count = len(laptops)
    heading = ngettext(
        "{count} laptop was not given the new team key:",
        "{count} laptops were not given the new team key:",
        count,
    ).format(count=format_number(count))
    lines = [heading]
    for name, device_id, reason in laptops:
        why = _NOT_GIVEN_REASONS.get(reason)
        lines.append(f"  {name} ({device_id}): {_(why) if why else reason}")
    return lines


def sync_message(code: str) -> str:
    template = _SYNC_MESSAGES.get(code)
    return _(template) if template else error_message(code)


def withdrawn_message(name: str, folder: str) -> str:
    """Said once, after a member's laptop withdrew a publication it had made itself
    (``reference.withdraw_own_publications``): what applies now, and where its copy is."""
    if name == "forms":
        text = _(
            "The form definitions this laptop had published itself were withdrawn: the team's "
            "apply here. A copy is in {folder}; should the team use it, give it to your "
            "coordinator."
        )
    elif name == "organisation":
        text = _(
            "The letterhead and data protection contacts this laptop had published itself were "
            "withdrawn: the team's apply here. A copy is in {folder}; should the team use them, "
            "give it to your coordinator."
        )
    else:
        text = _(
            "The service directory this laptop had published itself was withdrawn: the team's "
            "applies here. A copy is in {folder}; should the team use it, give it to your "
            "coordinator."
        )
    return text.format(folder=folder)


# The values of the publication "organisation" (``settings.PUBLISHED_VALUES``) as the message
# of one refused alone names them.
_PUBLISHED_VALUE_NAMES = {
    "letterhead": N_("letterhead"),
    "supervisory_authority": N_("data protection supervisory authority"),
    "data_protection_officer": N_("data protection officer"),
    "retention_years": N_("retention period"),
    "logo": N_("logo"),
}


def unusable_publication_message(name: str, reason: str, refused: Sequence[str] = ()) -> str:
    """A publication this laptop cannot use (``reference.unusable_publications``): whose data
    applies instead. ``name`` "forms", "services" or "organisation"; ``reason`` "newer" or
    "damaged"; ``refused``: the values of the letterhead's publication refused alone (its
    others are in force), named in the user's language."""
    if name == "organisation" and refused:
        names = ", ".join(_(_PUBLISHED_VALUE_NAMES.get(key, key)) for key in refused)
        if reason == "newer":
            text = ngettext(
                "The coordination published a value that this version of Welcome Desk cannot "
                "read: {values}. This laptop keeps its own for it until it is updated; the "
                "coordination's other values are in force.",
                "The coordination published values that this version of Welcome Desk cannot "
                "read: {values}. This laptop keeps its own for them until it is updated; the "
                "coordination's other values are in force.",
                len(refused),
            )
        else:
            text = ngettext(
                "The coordination published a value that cannot be used: {values}. This laptop "
                "keeps its own for it; the coordination's other values are in force.",
                "The coordination published values that cannot be used: {values}. This laptop "
                "keeps its own for them; the coordination's other values are in force.",
                len(refused),
            )
        return text.format(values=names)
    if name == "organisation":
        if reason == "newer":
            return _(
                "The coordination published a letterhead and data protection contacts that this "
                "version of Welcome Desk cannot read. This laptop uses its own until it is "
                "updated."
            )
        return _(
            "The letterhead and data protection contacts the coordination published are "
            "damaged. This laptop uses its own."
        )
    if name == "forms":
        if reason == "newer":
            return _(
                "The coordination published forms that this version of Welcome Desk cannot "
                "read. This laptop uses the forms it came with until it is updated."
            )
        return _(
            "The forms the coordination published are damaged. This laptop uses the forms it "
            "came with."
        )
    if reason == "newer":
        return _(
            "The coordination published a service directory that this version of Welcome Desk "
            "cannot read. This laptop uses the addresses it came with until it is updated."
        )
    return _(
        "The service directory the coordination published is damaged. This laptop uses the "
        "addresses it came with."
    )


def unusable_publication_detail(reason: str, publisher_version: str, own_version: str) -> str:
    """What to do about it, for the tooltip and the command line."""
    if reason == "newer":
        if publisher_version:
            text = _(
                "Published with Welcome Desk {theirs}; this laptop has {ours}. Ask your "
                "coordinator for the update."
            )
        else:
            text = _("This laptop has Welcome Desk {ours}. Ask your coordinator for the update.")
    else:
        text = _("Ask your coordinator to publish it again.")
    return text.format(theirs=publisher_version, ours=own_version)


def server_restored_message() -> str:
    """Said once, after a sync found the sync server restored from an older backup
    (``SyncReport.server_restored``): what this laptop did about it."""
    return _(
        "The sync server was restored from an older backup. This laptop fetched everything "
        "from it again and sent back the records it had lost."
    )


def revoke_again_pending_message() -> str:
    """A coordinator's laptop could not make the server refuse laptops the team's records say
    are revoked (``SyncReport.revoke_again_pending``): they can sync."""
    return _(
        "Laptops revoked in the team's records can still sync with the server: this laptop "
        "could not revoke them there yet (the server was restored from an older backup, or "
        "did not answer). It tries again at every sync; the server's operator can also revoke "
        "them (welcome-desk-server revoke)."
    )


def unsent_on_revoked_laptop(name: str, last_sync: str) -> str:
    """After revoking a laptop (lost or stolen): what its user recorded after ``last_sync``
    (when it last reached the server, in words; "" for never) never reached the team, nor did
    its drafts (they never sync), and the one way the records still can. The coordinator was
    told only that it can no longer sync, and the helper's unsent work went missing without
    anyone saying so."""
    if last_sync:
        text = _(
            "What was recorded on “{name}” after its last sync ({time}) has not reached the "
            "server, nor have the forms left unfinished on it. If the laptop turns up again, it "
            "can join again with a new enrollment code and then sends what was recorded; until "
            "then, ask whoever worked on it what to record again."
        )
    else:
        text = _(
            "“{name}” never synced: nothing recorded on it has reached the server. If the "
            "laptop turns up again, it can join again with a new enrollment code and then sends "
            "it; until then, ask whoever worked on it what to record again."
        )
    return text.format(name=name, time=last_sync)


def held_on_revoked_laptop(name: str, people: int | None, *, synced: bool = False) -> str:
    """For a revoked laptop (lost or stolen, a GDPR Art. 33 assessment): how many people's
    records it could hold, as the server counted them at the revocation (``people``: those it
    had been sent by its last sync, or sent itself; None: not counted, revoked before the
    server did so), and that they are encrypted on it. Said after ``unsent_on_revoked_laptop``,
    which says when its last sync was. Only figures the server knows.

    ``synced``: the server handed it records at least once (``pulled_at``). Then the figure
    leaves out the people erased after its last sync and before its revocation, and says so:
    an erasure leaves the server only the person's tombstone (``SyncService._store_locked``
    deletes every earlier revision), so nothing there says whether the laptop had been sent
    them, and a revoked laptop never receives their erasure. Counting them takes a server
    migration: the tombstone, or the devices, keeping what the deleted revisions said of who
    had been sent them."""
    from desktop_app.i18n.formatting import format_number

    if people is None:
        first = _(
            "The server did not count whose records “{name}” had been sent: it was revoked "
            "before the server counted that."
        ).format(name=name)
    elif people == 0:  # never synced, or nobody recorded yet
        first = _("“{name}” had been sent nobody's records.").format(name=name)
    else:
        first = ngettext(
            "By its last sync, “{name}” had been sent the records of at least {count} person.",
            "By its last sync, “{name}” had been sent the records of at least {count} people.",
            people,
        ).format(name=name, count=format_number(people))
    encrypted = _(
        "On the laptop they are in an encrypted database (SQLCipher) that opens only with the "
        "password of one of its accounts or its recovery code. Letters and exports saved as "
        "files outside Welcome Desk are not protected by it."
    )
    if people is None or not (people or synced):
        return f"{first} {encrypted}"
    erased = _(
        "Not counted: people erased at their request after its last sync. The server keeps "
        "nothing of theirs to count, and a revoked laptop never receives their erasure: it may "
        "still hold their records."
    )
    return f"{first} {erased} {encrypted}"


def held_on_revoked_short(people: int) -> str:
    """A revoked laptop's line in the list of laptops: how many people's records it could hold
    (``held_on_revoked_laptop``), short."""
    from desktop_app.i18n.formatting import format_number

    return ngettext(
        "records of at least {count} person", "records of at least {count} people", people
    ).format(count=format_number(people))


def revoked_holding_key_message(name: str) -> str:
    """In the Laptops dialog: a laptop revoked on the server alone (``welcome-desk-server
    revoke``, which renews no key) still holds the team key in use. The dialog listed it as
    revoked and nothing said the key, which makes it unable to read anything new, was still
    to be renewed."""
    return _(
        "“{name}” is revoked, but the team key was not renewed since: it could still read what "
        "is written from now on. Renew the team key here."
    ).format(name=name)


def revoke_again_pending_short() -> str:
    """The status bar's few words for ``revoke_again_pending_message``."""
    return _("Revoked laptops not yet revoked on the server")


def server_restored_short() -> str:
    """The status bar's few words for ``server_restored_message`` (the whole in the tooltip)."""
    return _("Server restored from a backup, records sent again")


def erased_work_message(count: int, people: int) -> str:
    """Said once, after a sync in which another laptop's erasure of ``people`` people (each
    at their request) removed ``count`` changes made here and not sent yet
    (``SyncReport.erased_work``, ``erased_people``). Nobody is named: that would undo the
    erasure."""
    from desktop_app.i18n.formatting import format_number

    erased = ngettext(
        "{count} person was erased at their request on another laptop.",
        "{count} people were erased at their request on other laptops.",
        people,
    ).format(count=format_number(people))
    removed = ngettext(
        "{count} change made on this laptop about what was erased was removed here too.",
        "{count} changes made on this laptop about what was erased were removed here too.",
        count,
    ).format(count=format_number(count))
    return f"{erased} {removed}"


def erased_work_short(count: int) -> str:
    """The status bar's few words for ``erased_work_message`` (the whole in the tooltip):
    short enough to stay whole beside the counts at 1100 px, and true of any number of
    people."""
    from desktop_app.i18n.formatting import format_number

    return ngettext(
        "{count} change removed (erasure on request)",
        "{count} changes removed (erasure on request)",
        count,
    ).format(count=format_number(count))


def withdrawn_short(count: int) -> str:
    """The status bar's few words for ``withdrawn_message`` (the whole of it in the tooltip)."""
    # Here, not at the top: importing formatting loads Babel.
    from desktop_app.i18n.formatting import format_number

    return ngettext(
        "{count} own publication withdrawn, its copy kept",
        "{count} own publications withdrawn, copies kept",
        count,
    ).format(count=format_number(count))


def confirm_message(code: str) -> str:
    """A refusal of ``confirm_coordinator`` (which also raises the codes of ``sync_message``)."""
    template = _CONFIRM_MESSAGES.get(code)
    return _(template) if template else sync_message(code)


_DIRECTORY_PROBLEMS = {
    "missing_file": N_("The file catalogue.yaml (topics and documents) is missing."),
    "no_services": N_("The folder holds no service files."),
    "invalid_yaml": N_("This is not valid YAML."),
    "not_utf8": N_("The file is not saved as UTF-8 text."),
    "not_a_mapping": N_("Entries of the form “key: value” are expected here."),
    "not_a_list": N_("A list is expected here."),
    "not_text": N_("A text is expected here."),
    "missing": N_("This entry is missing."),
    "empty": N_("This entry is empty."),
    "missing_language": N_("The text in this language is missing."),
    "unknown_language": N_("Only the languages de, bg, ro and en are used."),
    "unknown_key": N_("This entry is not known (a typing error?)."),
    "postcode_without_city": N_(
        "The postcode is given without its city: please enter the city too (letters would "
        "show the postcode alone)."
    ),
    "unknown_id": N_("This topic or document is not in catalogue.yaml."),
    "id_not_file_name": N_("The id must equal the file name without “.yaml”."),
    "not_iso_639_1": N_("A language is written as a two-letter code such as “de” or “bg”."),
    "bad_placeholder": N_("A placeholder in braces is not known."),
    "too_many_files": N_("The folder holds too many files."),
    "file_too_large": N_("The file is too large."),
    "bad_file_name": N_(
        "File names may contain only small letters, digits and “_” and end in “.yaml”."
    ),
    "note_too_long": N_("The note is too long."),
    "not_a_folder": N_("This folder does not exist."),
    "folder_not_empty": N_("The folder already holds YAML files; please choose an empty folder."),
    "unknown_form": N_("This is not one of the app's forms."),
    "form_missing": N_("A form is missing from the folder."),
    "form_id_not_file_name": N_("The form id must equal the file name without “.yaml”."),
    "not_coordinator_laptop": N_(
        "This laptop is a team member's laptop on the sync server, not a coordinator's: the "
        "other laptops would not receive what it publishes. Please ask your coordinator to "
        "publish the change from their laptop."
    ),
    "role_unknown": N_(
        "This laptop does not know yet whether the sync server lists it as a coordinator's "
        "laptop. Please sync once, then publish again."
    ),
}


def directory_problem(file: str, where: str, code: str) -> str:
    """A problem found in a service directory folder, naming the file and the entry."""
    template = _DIRECTORY_PROBLEMS.get(code)
    problem = _(template) if template else _("Something went wrong ({code}).").format(code=code)
    if not file:
        return problem
    if where:
        return _("{file}, entry “{where}”: {problem}").format(
            file=file, where=where, problem=problem
        )
    return _("{file}: {problem}").format(file=file, problem=problem)


_FORM_PROBLEMS = {
    "form_id_changed": N_("The form id must stay the same."),
    "version_lower": N_("The version must not be lower than {where}."),
    "version_not_raised": N_("The form was changed: please raise its version above {where}."),
    "field_removed": N_("The field “{where}” must stay (answers are stored in it)."),
    "field_retyped": N_("The field “{where}” must keep its type."),
    "restriction_lifted": N_("The field “{where}” must stay restricted."),
    "consent_requirement_lifted": N_("The field “{where}” must keep its consent requirement."),
    "purpose_removed": N_("The consent purpose “{where}” must stay."),
    "consent_text_without_version": N_(
        "The consent text of “{where}” was changed: please give the form a new text_version."
    ),
    # A consent refers to its text by text_version: the texts of earlier versions are history.
    "earlier_text_removed": N_(
        "The consent text “{where}” must stay in the form under earlier_texts: consents given "
        "under it refer to it."
    ),
    "earlier_text_changed": N_(
        "The earlier consent text “{where}” must stay exactly as it was: consents given under it "
        "refer to it."
    ),
}


def _option_removed(where: str) -> str:
    """A choice gone (its id renamed, most often, to reword it): stored answers hold the id,
    so it must stay; what may change is its label. ``where`` is "field: id, id"."""
    field, _sep, listed = where.partition(": ")
    ids = [i.strip() for i in listed.split(",") if i.strip()] or [listed]
    return ngettext(
        "The choice “{ids}” of the question “{field}” is missing: answers already given use "
        "its id. Only a choice's label may change: keep “id: {first}” as it was and reword "
        "its label.",
        "The choices “{ids}” of the question “{field}” are missing: answers already given use "
        "their ids. Only a choice's label may change: keep each id (e.g. “id: {first}”) as it "
        "was and reword its label.",
        len(ids),
    ).format(ids="”, “".join(ids), field=field, first=ids[0])


def form_problem(form_id: str, code: str, where: str) -> str:
    """Why an edited form definition cannot replace the one in force."""
    template = _FORM_PROBLEMS.get(code)
    if code == "option_removed":
        problem = _option_removed(where)
    else:
        problem = _(template).format(where=where) if template else code
    return _("{file}: {problem}").format(file=f"{form_id}.yaml", problem=problem)


# The kinds of record a conflict can be about (conflicts dialog, a person's data export).
# A person's sex as a document names it (the access export).
# An advisor's decision on a next step a form suggested.
STEP_DECISIONS = {"accepted": N_("accepted"), "dismissed": N_("dismissed")}

# A language level (forms' cefr fields): the level, and how it was assessed (form, data export).
CEFR_LEVEL_TEXT = {
    "A0": N_("A0 – no knowledge"),
    "A1": N_("A1 – beginner"),
    "A2": N_("A2 – elementary"),
    "B1": N_("B1 – intermediate"),
    "B2": N_("B2 – upper intermediate"),
    "C1": N_("C1 – advanced"),
    "C2": N_("C2 – near-native"),
}
CEFR_ASSESSMENT_TEXT = {
    "self": N_("self-assessed"),
    "tested": N_("tested"),
    "certificate": N_("certificate"),
}

SEX_NAMES = {
    "female": N_("female"),
    "male": N_("male"),
    "diverse": N_("diverse"),
    "not_stated": N_("prefers not to say"),
}

RECORD_KINDS = {
    "person": N_("Personal data"),
    "referral": N_("Referral"),
    "visit": N_("Visit"),
    "consent": N_("Consent"),
    "quick_contact": N_("Quick contact"),
    "case_opening": N_("Case opened to a helper"),
}

# The fields a conflict can be about, as people read them (conflicts dialog, data export).
FIELD_NAMES = {
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "date_of_birth": N_("Date of birth"),
    "sex": N_("Sex / gender"),
    "nationality": N_("Nationality"),
    "languages": N_("Languages spoken"),
    "phone": N_("Phone"),
    "notes": N_("Notes"),
    "id_document_name": N_("Name as on the ID document"),
    "status": N_("Status"),
    "outcome": N_("Outcome"),
    "follow_up": N_("Follow-up date"),
    "appointment": N_("Appointment"),
    "contact_person": N_("Contact person"),
    "documents": N_("Documents to bring"),
    "answers": N_("Answers"),
    "next_steps": N_("Next steps"),
    # Two versions of a visit's answers that do not fit together (sync.kinds.COMBINED_ANSWERS)
    "answers+": N_("Answers that do not fit together"),
    "granted": N_("Consent given"),
    # A section of a case open to a helper (kind "case_opening"), or closed to them again.
    "opened": N_("Open to the helper"),
}

#: a referral's status (``domain.referral.ReferralStatus`` values) as people read it
REFERRAL_STATUS = {
    "issued": N_("Issued"),
    "appointment_made": N_("Appointment made"),
    "attended": N_("Attended"),
    "outcome_noted": N_("Outcome noted"),
    "closed": N_("Closed"),
}

#: What a step of a referral's history did to the appointment ({when}: the new one).
APPOINTMENT_CHANGE = {
    "set": N_("Appointment set: {when}"),
    "moved": N_("Appointment moved to {when}"),
    "removed": N_("Appointment removed"),
}


def clock_warning(offset_ms: int) -> str:
    """That this laptop's clock is ``offset_ms`` ahead of the sync server's (negative: behind),
    and what to do, in one line (the command line's warning)."""
    return " ".join(clock_warning_parts(offset_ms))


def clock_warning_parts(offset_ms: int) -> tuple[str, str]:
    """``clock_warning`` as (what is wrong, what to do): the window's banner sets the first in
    bold. Whole sentences per unit and direction: the languages inflect differently."""
    # Here, not at the top: importing formatting loads Babel.
    from desktop_app.i18n.formatting import format_number

    count, unit = rounded(offset_ms)
    if offset_ms > 0:
        if unit == "days":
            text = ngettext(
                "This laptop's clock is {count} day ahead of the server.",
                "This laptop's clock is {count} days ahead of the server.",
                count,
            )
        elif unit == "hours":
            text = ngettext(
                "This laptop's clock is {count} hour ahead of the server.",
                "This laptop's clock is {count} hours ahead of the server.",
                count,
            )
        else:
            text = ngettext(
                "This laptop's clock is {count} minute ahead of the server.",
                "This laptop's clock is {count} minutes ahead of the server.",
                count,
            )
    elif unit == "days":
        text = ngettext(
            "This laptop's clock is {count} day behind the server.",
            "This laptop's clock is {count} days behind the server.",
            count,
        )
    elif unit == "hours":
        text = ngettext(
            "This laptop's clock is {count} hour behind the server.",
            "This laptop's clock is {count} hours behind the server.",
            count,
        )
    else:
        text = ngettext(
            "This laptop's clock is {count} minute behind the server.",
            "This laptop's clock is {count} minutes behind the server.",
            count,
        )
    advice = _("Set the date and time right: changes made here get wrong times.")
    return text.format(count=format_number(count)), advice


def clock_indicator(offset_ms: int) -> str:
    """The status bar's short note of a wrong clock while its banner is hidden: which way and
    by how much ("Clock 3 days ahead"; "Clock: 3 days" left the reader guessing what was wrong).
    Whole phrases per unit and direction, as the banner's: the languages inflect differently."""
    # Here, not at the top: importing formatting loads Babel.
    from desktop_app.i18n.formatting import format_number

    count, unit = rounded(offset_ms)
    if offset_ms > 0:
        if unit == "days":
            text = ngettext("Clock {count} day ahead", "Clock {count} days ahead", count)
        elif unit == "hours":
            text = ngettext("Clock {count} hour ahead", "Clock {count} hours ahead", count)
        else:
            text = ngettext("Clock {count} minute ahead", "Clock {count} minutes ahead", count)
    elif unit == "days":
        text = ngettext("Clock {count} day behind", "Clock {count} days behind", count)
    elif unit == "hours":
        text = ngettext("Clock {count} hour behind", "Clock {count} hours behind", count)
    else:
        text = ngettext("Clock {count} minute behind", "Clock {count} minutes behind", count)
    return text.format(count=format_number(count))


# Why an action failed, for the failures a laptop really meets, each with what the user can do.
# The exception's class name was shown instead ("…: IsADirectoryError"): nobody can act on it.
_FAILURE_CAUSES = {
    "disk_full": N_(
        "The disk is full. Free some space (delete files that are no longer needed), then try "
        "again."
    ),
    "no_permission": N_(
        "Welcome Desk is not allowed to use this file or folder. Choose another place, or ask "
        "whoever looks after this laptop."
    ),
    "read_only": N_(
        "Nothing can be written there: the drive or the file is write-protected. Choose "
        "another place, or ask whoever looks after this laptop."
    ),
    "is_folder": N_(
        "A folder of the same name stands where the file should be. Choose another name or place."
    ),
    "file_in_the_way": N_(
        "A file of the same name stands where a folder should be. Choose another name or place."
    ),
    "missing": N_(
        "A file or folder is not there (any more). Check that the USB stick or drive is "
        "connected, or choose another place."
    ),
    "store_busy": N_(
        "The records are busy: a sync or another Welcome Desk window is writing to them. "
        "Wait a moment, then try again."
    ),
    "person_erased": N_(
        "The person was erased meanwhile (here or by a sync); there is nothing left to change."
    ),
    "person_merged": N_(
        "One of the two entries was merged into another entry meanwhile (here or by a sync): "
        "its records are there now."
    ),
    "entries_merged": N_(
        "The two entries were merged into one meanwhile (here or by a sync): there is nothing "
        "left to merge."
    ),
}
_UNKNOWN_FAILURE = N_(
    "An unexpected error occurred. Try again; if it happens again, tell your coordinator (the "
    "details are in the program's log)."
)
_OS_CAUSES = {
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.EROFS: "read_only",
    errno.EACCES: "no_permission",
    errno.EPERM: "no_permission",
    errno.EISDIR: "is_folder",
    errno.ENOENT: "missing",
    # a file where a folder of the path should be: open() says ENOTDIR, mkdir() EEXIST
    errno.ENOTDIR: "file_in_the_way",
    errno.EEXIST: "file_in_the_way",
}
_ERASED_CODES = {"person_erased", "person_not_found"}
# An entry merged away meanwhile (``EntryMergedAway``): it was said to be erased.
_MERGED_CODES = {"person_merged", "entries_merged"}
# What SQLite (SQLCipher) says, lower case: its errors carry no errno.
_STORE_CAUSES = (
    ("database is locked", "store_busy"),
    ("database table is locked", "store_busy"),
    ("database is busy", "store_busy"),
    ("database or disk is full", "disk_full"),
    ("readonly database", "read_only"),
)


def _exception_chain(exc: BaseException) -> list[BaseException]:
    """``exc``, the driver's error a SQLAlchemy error wraps (``orig``), and the exceptions it
    was raised from or during: the cause is often a layer down."""
    chain: list[BaseException] = []
    todo: list[object] = [exc]
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is seen for seen in chain):
            continue
        chain.append(item)
        todo += [getattr(item, "orig", None), item.__cause__, item.__context__]
    return chain


def failure_cause(exc: BaseException) -> str | None:
    """The key of ``_FAILURE_CAUSES`` that explains ``exc``, or None for any other failure."""
    for item in _exception_chain(exc):
        # by their codes: the texts know no use cases (PersonErased, PersonNotFound)
        code = getattr(item, "code", None)
        if code in _MERGED_CODES:
            return str(code)
        if code in _ERASED_CODES:
            return "person_erased"
        if isinstance(item, OSError) and item.errno in _OS_CAUSES:
            return _OS_CAUSES[item.errno]
        if not isinstance(item, OSError):
            text = str(item).lower()
            for words, cause in _STORE_CAUSES:
                if words in text:
                    return cause
    return None


def failure_message(exc: BaseException, what: str | None = None) -> str:
    """What failed (``what``, translated; by default "The action could not be completed."),
    why, and what to do, in the UI language: never the exception's class name or text.

    The failure goes to the program's log with its traceback: the log keeps the exception's
    type, files and lines, never its text (``desktop_app.logs``), which may quote a name."""
    lead = what if what is not None else _("The action could not be completed.")
    return f"{lead} {failure_reason(exc)}"


def failure_reason(exc: BaseException) -> str:
    """``failure_message`` without its first sentence: why, and what to do (logged alike)."""
    cause = failure_cause(exc)
    log.warning("a failure was shown to the user: %s", cause or "unexpected", exc_info=exc)
    return cause_message(cause)


def cause_message(cause: str | None) -> str:
    """The sentence of a ``failure_cause`` key; None (or a key not known): an unexpected error
    (the sync process names the cause it found this way, its exception stays there)."""
    template = _FAILURE_CAUSES.get(cause or "")
    return _(template) if template else _(_UNKNOWN_FAILURE)


def restore_failure_message(exc: OSError, source: Path, folder: Path | str) -> str:
    """A restore that failed on a file: the backup ``source`` that cannot be read, or the new
    data ``folder`` that cannot be written, why, and what to do ("The backup file cannot be
    read" was said for both, whatever the reason). The dialog and the command line alike."""
    if exc.filename is not None and Path(os.fsdecode(exc.filename)) == source:
        what = _("The backup file {file} cannot be read.").format(file=source)
    else:
        what = _("The backup could not be restored into the folder {folder}.").format(folder=folder)
    return failure_message(exc, what)


_REMOVED_SERVICE = N_("{name} (no longer in the directory)")


def removed_service_name(service_id: str, lang: str | None = None) -> str:
    """A service no directory knows any more (a coordinator's own, taken out of the directory
    on another laptop) as a referral names it: by its id made readable, and saying so;
    ``tafel_dortmund_e_v`` → "Tafel Dortmund E V (no longer in the directory)". In ``lang``,
    else in the UI language."""
    name = " ".join(word[:1].upper() + word[1:] for word in service_id.split("_") if word)
    template = gettext_in(lang, _REMOVED_SERVICE) if lang else _(_REMOVED_SERVICE)
    return template.format(name=name or service_id.strip() or "?")

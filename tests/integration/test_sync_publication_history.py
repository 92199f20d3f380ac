"""Two coordinators publishing the service directory at the same time, each offline: the history
the synced publication carries keeps both publications on every laptop, whatever order they
sync in. The history was the later publication's own (the record's content merged by the later
clock), so the other publication's note was lost everywhere. Real encrypted stores, a real sync
server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from desktop_app.storage.reference_models import ReferenceRow
from desktop_app.usecases import reference
from tests.integration.sync_harness import Laptops, outbox_size, server_top_revisions

FILES = reference.shipped_directory_files()


def _content(session: object) -> str:
    store = session.store  # type: ignore[attr-defined]
    with store.reading() as s:
        row = s.get(ReferenceRow, reference.reference_id(reference.SERVICES))
        assert row is not None
        return str(row.content)


@pytest.mark.parametrize("first", ["earlier", "later"])
def test_two_coordinators_publishing_offline_keep_both_in_every_history(
    laptops: Laptops, first: str
) -> None:
    """Both laptops publish without syncing (the one in the office first, then the one at the
    outreach consultation); then one syncs, the other, and the first again. ``first``: whose
    sync comes first, the earlier publication's or the later one's."""
    office, outreach = laptops.new("Büro"), laptops.new("Außensprechstunde")
    reference.publish_directory(office.store, office.user, FILES, "Jobcenter: neue Zeiten")
    laptops.sync(office, outreach)  # both hold the team's publication
    reference.publish_directory(office.store, office.user, FILES, "Caritas ist umgezogen")
    reference.publish_directory(outreach.store, outreach.user, FILES, "VHS: neue Nummer")
    order = [office, outreach] if first == "earlier" else [outreach, office]
    laptops.sync(*order, order[0])

    expected = ["VHS: neue Nummer", "Caritas ist umgezogen", "Jobcenter: neue Zeiten"]
    for laptop in (office, outreach):
        history = reference.publication_history(laptop.store, reference.SERVICES)
        assert [e.note for e in history] == expected, laptop.user.display_name
        # the one in force is the later publication (its clock), on both
        published = reference.published_directory(laptop.store)
        assert published is not None and published.note == "VHS: neue Nummer"
        assert outbox_size(laptop) == 0
    # the same record, to the letter, on both and as the server's last revision
    assert _content(office) == _content(outreach)
    record = reference.reference_id(reference.SERVICES)
    with office.store.reading() as s:
        row = s.get(ReferenceRow, record)
        assert row is not None
        assert server_top_revisions(laptops.server)[record] == row.revision
    # and nothing more to say at the next syncs
    before = _content(office)
    laptops.sync(office, outreach)
    assert _content(office) == _content(outreach) == before
    assert outbox_size(office) == outbox_size(outreach) == 0
    assert json.loads(before)["note"] == "VHS: neue Nummer"


def test_a_third_laptop_away_for_both_receives_both(laptops: Laptops) -> None:
    """A laptop that syncs after both publications met learns both from the one record."""
    office, outreach = laptops.new("Büro"), laptops.new("Außensprechstunde")
    away = laptops.new("Beratung")
    laptops.sync()  # each knows its role: a coordinator's laptop
    reference.publish_directory(outreach.store, outreach.user, FILES, "VHS: neue Nummer")
    reference.publish_directory(office.store, office.user, FILES, "Caritas ist umgezogen")
    laptops.sync(outreach, office, outreach, away)
    notes = [e.note for e in reference.publication_history(away.store, reference.SERVICES)]
    assert notes == ["Caritas ist umgezogen", "VHS: neue Nummer"]
    assert _content(away) == _content(office) == _content(outreach)

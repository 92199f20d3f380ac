"""A consent given on one laptop under a coordinator's text reads with that wording in the data
copy made on another laptop, after the publication holding the text was replaced there. Real
encrypted stores and a real server process on 127.0.0.1."""

from __future__ import annotations

import pytest
import yaml

from desktop_app.usecases import reference
from tests.integration.sync_harness import Laptops
from tests.unit.security.test_consent_wording import (
    OWN_SHARING,
    OWN_VERSION,
    consent_data,
    later_release,
    later_shipped,
    new_text,
    publish_own_text,
    record_sharing,
    sharing_of,
    shipped_files,
)


def test_a_text_received_by_sync_stays_readable_after_the_next_publication(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    publish_own_text(a)
    person = record_sharing(a, read_in="bg")
    laptops.sync(a, b)
    assert reference.forms_in_force(b.store)["consent"].text_version == OWN_VERSION
    # An update ships consent form 5; the coordinator's next form (6) is made from it and
    # lacks the text of 2026-12-3. B has only that publication now.
    later_release(monkeypatch)
    files = shipped_files()
    data = yaml.safe_load(new_text(consent_data(), 6, "2027-01-1", {}))
    data["purposes"] = later_shipped().model_dump(mode="json")["purposes"]
    files["consent.yaml"] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    reference.publish_forms(a.store, a.user, files)
    laptops.sync(a, b)
    in_force = reference.forms_in_force(b.store)["consent"]
    assert in_force.version == 6 and in_force.consent_text(OWN_VERSION, "referral_sharing") is None

    sharing, content = sharing_of(b, person, "bg")
    assert (sharing["text"], sharing["text_language"]) == (OWN_SHARING["bg"], "bg")
    assert OWN_SHARING["bg"] in content

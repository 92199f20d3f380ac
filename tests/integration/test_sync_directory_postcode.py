"""A published service directory that gives a service a postcode without its city (the editor
refuses one; a hand-written file or an older version's publication did not), arriving by sync
on a real server: the publication stays in force on the laptop that receives it, and its
letters never print the postcode alone on the town's line."""

from __future__ import annotations

import io

from pypdf import PdfReader

from desktop_app.usecases import reference, referrals
from tests.conftest import record_sharing_consent
from tests.integration.sync_harness import Laptops
from tests.unit.test_directory_edit import lone_postcode_files
from tests.unit.test_referrals import _person


def test_a_service_with_a_postcode_but_no_city_arrives_whole_but_that_postcode(
    laptops: Laptops,
) -> None:
    """Refusing the publication would put the shipped directory in force again on the laptop
    that receives it: the job centre's old number, and no Beratung Nord for its referrals.
    Its address is shown without the postcode instead; the rest of it is as published."""
    a, b = laptops.new("A"), laptops.new("B")
    reference.publish_directory(a.store, a.user, lone_postcode_files(), "Beratung Nord")
    laptops.sync(a, b)
    assert reference.unusable_publications(b.store) == []
    published = reference.published_directory(b.store)
    assert published is not None and published.note == "Beratung Nord"
    directory = reference.service_directory(b.store)
    assert directory.get("jobcenter").contact.phone == "0231 842-9999"
    nord = directory.get("beratung_nord")
    assert (nord.address.street, nord.address.postcode, nord.address.city) == (
        "Nordstraße 12",
        "",
        "",
    )
    assert nord.address.lines() == ("Nordstraße 12",)
    # The letter on B: the office's address window and the person's copy.
    person = _person(b, sharing="")
    record_sharing_consent(b, person.id, named="Beratung Nord")
    referral = referrals.issue_referral(
        b.store, b.user, person.id, "beratung_nord", "housing_emergency"
    )
    pdf = referrals.render_letter(b.store, b.user, referral.id)
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pages)
    assert len(pages) >= 2 and text.count("Nordstraße 12") >= 2, text
    assert "44145" not in text

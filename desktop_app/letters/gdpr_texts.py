"""What the GDPR says the person is told, in the words both their data copy (Art. 15) and the
consent texts (Art. 13) use: one msgid, one translation, for each. No ReportLab here."""

from __future__ import annotations

from desktop_app.domain.referral import Organisation
from desktop_app.i18n.text import N_, Nn_, catalog, gettext_in

#: where the laptop syncs: the server (and whoever runs it) holds the data, if only encrypted
RECIPIENTS_SERVER = N_(
    "The laptops of our team exchange your data through our sync server. It is encrypted on "
    "the laptop before it is sent: no one can read it on the server."
)
RETENTION_RULE = Nn_(
    "We keep your data while you come to us for advice. After {years} year without contact, "
    "we erase it.",
    "We keep your data while you come to us for advice. After {years} years without contact, "
    "we erase it.",
    "years",
)
#: each right by its name in the GDPR's official version of the text's language; "the address
#: above" is the letterhead's (the copy's contact line, the consent texts' controller)
LEGAL_RIGHTS = N_(
    "Your rights: the right to rectification (Art. 16 GDPR), the right to erasure (Art. 17 "
    "GDPR), the right to restriction of processing (Art. 18 GDPR) and the right to object "
    "(Art. 21 GDPR). Please ask us at the address above."
)
#: where the settings name none: which authorities, as Art. 77(1) GDPR says, not a made-up one
LEGAL_COMPLAINT = N_(
    "You have the right to lodge a complaint with a supervisory authority (Art. 77 GDPR), in "
    "particular in the EU member state where you live or work or where the alleged "
    "infringement took place."
)
#: where the settings name the supervisory authority the organisation answers to
LEGAL_COMPLAINT_NAMED = N_(
    "You have the right to lodge a complaint with a supervisory authority (Art. 77 GDPR), "
    "for example with the one responsible for us: {authority}."
)
#: where the settings name the organisation's data protection officer (Art. 13(1)(b), 38(4) GDPR)
LEGAL_DPO = N_(
    "For questions about your data and your rights you can also contact our data protection "
    "officer: {dpo}."
)
LEGAL_AUTOMATED = N_("No decisions about you are made automatically (Art. 22 GDPR).")

# Said only at collection (Art. 13): the copy is itself the access, and says the rest its way.
ABOUT_HEADING = N_("About your data")
#: followed by the letterhead's name, address, phone and e-mail on one line (Art. 13(1)(a))
CONTROLLER = N_("Controller of your data: {controller}")
#: by its name in the GDPR's official version of the text's language, as ``LEGAL_RIGHTS``
RIGHT_OF_ACCESS = N_(
    "You have the right of access to your data (Art. 15 GDPR): we give you a copy of all data "
    "we hold about you."
)
#: the legal basis alone, for the consent dialog: the right to withdraw at any time follows
#: (``WITHDRAWAL_RIGHT``) where the form's purpose texts do not say it themselves (the data
#: copy's ``LEGAL_BASIS`` says both)
CONSENT_LEGAL_BASIS = N_(
    "The legal basis of the processing is your consent (Art. 6(1)(a) GDPR) and, for health "
    "data, your explicit consent (Art. 9(2)(a) GDPR)."
)
#: Art. 7(3) and 13(2)(c) GDPR, in the words of its official versions ("jederzeit zu
#: widerrufen", "да оттегли съгласието си по всяко време", "să își retragă consimțământul în
#: orice moment"): said by the program itself, as a coordinator's forms may not say it
WITHDRAWAL_RIGHT = N_("You have the right to withdraw your consent at any time.")
WITHDRAWAL_BEFORE = N_(
    "Withdrawing a consent does not affect the lawfulness of the processing before the "
    "withdrawal (Art. 7(3) GDPR)."
)


def controller_contact(organisation: Organisation) -> str:
    """Who holds the data and how to reach them, on one line: the letterhead's name, address
    lines, phone and e-mail, those that are set."""
    org = organisation
    return " · ".join(x for x in (org.name, *org.address_lines, org.phone, org.email) if x)


def dpo_contact(lang: str, dpo: str) -> str:
    """The sentence naming the data protection officer ``dpo`` in ``lang`` ("" for none): in
    the copy's rights and in the consent texts the person is shown."""
    if not dpo:
        return ""
    sentence = gettext_in(lang, LEGAL_DPO).format(dpo=dpo)
    # A contact ending in its own full stop ("… Tel. 0231 12345.") ends the sentence.
    return sentence[:-1] if sentence.endswith("..") else sentence


def complaint(lang: str, authority: str) -> str:
    """The right to lodge a complaint in ``lang``: with ``authority`` as the example where the
    settings name one, else in the general words of Art. 77(1) GDPR."""
    if authority:
        return gettext_in(lang, LEGAL_COMPLAINT_NAMED).format(authority=authority)
    return gettext_in(lang, LEGAL_COMPLAINT)


def retention_rule(lang: str, years: int) -> str:
    """How long the data is kept after the last contact, in ``lang``."""
    rule = catalog(lang).ngettext(RETENTION_RULE.singular, RETENTION_RULE.plural, years)
    return rule.format(years=years)

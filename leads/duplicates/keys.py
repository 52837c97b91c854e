"""Normalised keys of a lead: what two records of one person have in common.

Pure functions, so the backfill migration and the services agree on every key.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

# Gmail ignores dots in the local part and treats googlemail.com as gmail.com.
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
# Legal forms that one record writes and another leaves out ("Acme S.p.A." vs "Acme").
LEGAL_SUFFIXES = frozenset(
    {"inc", "incorporated", "ltd", "limited", "llc", "llp", "plc", "corp", "corporation", "co",
     "company", "gmbh", "ag", "kg", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "ab",
     "as", "aps", "pty", "sl", "slu", "kk"}
)  # fmt: skip
_NOT_WORD = re.compile(r"[^a-z0-9]+")
MAX_KEY = 255


def email_key(email: str) -> str:
    """`First.Last+news@GoogleMail.com` -> `firstlast@gmail.com`; plus-tags dropped everywhere."""
    local, _, domain = (email or "").strip().lower().rpartition("@")
    if not local or not domain:
        return ""
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"[:MAX_KEY] if local else ""


def phone_key(phone: str, *, region: str = "") -> str:
    """E.164 (`02 555 0142` in IT -> `+39025550142`), or "" when the number is not valid."""
    if not phone or not phone.strip():
        return ""
    try:
        number = phonenumbers.parse(phone, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    # "S.p.A." -> "spa": dots inside abbreviations join their letters.
    plain = re.sub(r"(?<=\w)\.(?=\w)", "", plain.lower())
    return [word for word in _NOT_WORD.split(plain) if word]


def name_company_key(first_name: str, last_name: str, company: str) -> str:
    """`José Núñez`, `Núñez Labs S.L.` -> `jose nunez|nunez labs`; "" without all three."""
    name = _words(f"{first_name} {last_name}")
    words = _words(company)
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    if not (first_name or "").strip() or not (last_name or "").strip() or not words:
        return ""
    return f"{' '.join(name)}|{' '.join(words)}"[:MAX_KEY]


def lead_keys(
    *, email: str, phone: str, first_name: str, last_name: str, company: str, region: str
) -> dict[str, str]:
    """Every non-empty key of one lead, by kind."""
    keys = {
        "email": email_key(email),
        "phone": phone_key(phone, region=region),
        "name_company": name_company_key(first_name, last_name, company),
    }
    return {kind: value for kind, value in keys.items() if value}

"""Citizen ID numbers (GB 11643) and unified social credit codes (GB 32100): validate and normalise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Full-width digits and Latin letters (U+FF10–FF19, FF21–FF3A, FF41–FF5A) map to ASCII by a fixed offset.
_FULL_WIDTH = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B)) for c in range(*r)}


class IdReason(StrEnum):
    """Why an identifier is not valid; the same codes are used by the dbt macros and quarantine."""

    missing = "missing"
    bad_length = "bad_length"
    bad_character = "bad_character"
    bad_area = "bad_area"
    bad_birth_date = "bad_birth_date"
    bad_check = "bad_check"
    bad_org_code_check = "bad_org_code_check"


class InvalidIdentifier(ValueError):
    """An identifier that cannot be accepted, with a machine-readable reason."""

    def __init__(self, reason: IdReason, value: str, detail: str = "") -> None:
        self.reason = reason
        self.value = value
        super().__init__(f"{reason.value}: {value!r}{' — ' + detail if detail else ''}")


@dataclass(frozen=True)
class CitizenId:
    number: str
    area_code: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    converted_from_15: bool


def _clean(value: str | None) -> str:
    if value is None:
        return ""
    return "".join(value.translate(_FULL_WIDTH).split()).upper()


def citizen_id_check_char(first17: str) -> str:
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def parse_citizen_id(value: str | None, *, today: dt.date | None = None) -> CitizenId:
    """Validate a citizen ID number; accept full-width digits, lower-case x, spaces and 15-digit numbers."""
    raw = value or ""
    s = _clean(raw)
    if not s:
        raise InvalidIdentifier(IdReason.missing, raw)
    if len(s) not in (15, 18):
        raise InvalidIdentifier(IdReason.bad_length, raw, f"{len(s)} characters, expected 18 (or 15)")
    body = s if len(s) == 15 else s[:17]
    if not body.isdigit() or (len(s) == 18 and not (s[17].isdigit() or s[17] == "X")):
        raise InvalidIdentifier(IdReason.bad_character, raw)
    converted = len(s) == 15
    if converted:
        s = s[:6] + "19" + s[6:]
        s = s + citizen_id_check_char(s)
    if s[0] == "0" or s[:2] == "00" or s[2:6] == "0000":
        raise InvalidIdentifier(IdReason.bad_area, raw)
    try:
        birth = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError as exc:
        raise InvalidIdentifier(IdReason.bad_birth_date, raw, str(exc)) from None
    if birth.year < 1880 or birth > (today or dt.date.today()):
        raise InvalidIdentifier(IdReason.bad_birth_date, raw, f"born {birth}")
    if not converted and citizen_id_check_char(s[:17]) != s[17]:
        raise InvalidIdentifier(IdReason.bad_check, raw, f"check character should be {citizen_id_check_char(s[:17])}")
    return CitizenId(s, s[:6], birth, "M" if int(s[16]) % 2 else "F", converted)


def normalise_citizen_id(value: str | None) -> str:
    return parse_citizen_id(value).number


def org_code_check_char(first8: str) -> str:
    total = sum(ORG_CODE_ALPHABET.index(c) * w for c, w in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: str | None) -> str:
    """Validate a unified social credit code, including its embedded GB 11714 organisation code."""
    raw = value or ""
    s = _clean(raw)
    if not s:
        raise InvalidIdentifier(IdReason.missing, raw)
    if len(s) != 18:
        raise InvalidIdentifier(IdReason.bad_length, raw, f"{len(s)} characters, expected 18")
    if any(c not in USCC_ALPHABET for c in s):
        raise InvalidIdentifier(IdReason.bad_character, raw, "letters I, O, S, V, Z are not used")
    if not s[2:8].isdigit():
        raise InvalidIdentifier(IdReason.bad_area, raw)
    if uscc_check_char(s[:17]) != s[17]:
        raise InvalidIdentifier(IdReason.bad_check, raw, f"check character should be {uscc_check_char(s[:17])}")
    org = s[8:17]
    if org_code_check_char(org[:8]) != org[8]:
        raise InvalidIdentifier(IdReason.bad_org_code_check, raw, f"organisation code {org[:8]}-{org[8]}")
    return s


def make_uscc(registration_dept: str, org_type: str, area: str, org_body: str) -> str:
    """Compose a valid code from its parts (used by the sandbox and tests): org_body is 8 characters."""
    first17 = registration_dept + org_type + area + org_body + org_code_check_char(org_body)
    return first17 + uscc_check_char(first17)


def make_citizen_id(area: str, birth: dt.date, sequence: int) -> str:
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + citizen_id_check_char(first17)

"""Identifier values as upstream systems send them: valid, noisy (case, full width, spaces) and broken every way the
GB 11643 and GB 32100 checks know, for tests that hold the dbt macros against Python or one engine against another."""

from __future__ import annotations

import datetime as dt
import random

from zhongtai.identifiers import ORG_CODE_ALPHABET, USCC_ALPHABET, make_citizen_id, make_uscc, uscc_check_char

FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}
AREAS = ["440604", "110105", "350100", "650102", "810000"]
USCC_ORG_BODY = [c for c in ORG_CODE_ALPHABET if c in USCC_ALPHABET]


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def noisy(rng: random.Random, s: str) -> str:
    """The same identifier as people type it: lower case, full width, spaces and tabs."""
    kind = rng.randrange(5)
    if kind == 0:
        return s.lower()
    if kind == 1:
        return s.translate(FULL_WIDTH)
    if kind == 2:
        i = rng.randrange(len(s) + 1)
        space = rng.choice([" ", "\t", "\u3000", "\xa0"])
        return f" {s[:i]}{space}{s[i:]}\n"
    if kind == 3:
        return s[:6] + " " + s[6:14] + " " + s[14:]
    return s


def citizen_cases(rng: random.Random) -> list[str | None]:
    today = dt.date.today()
    cases: list[str | None] = [None, "", "   ", "\u3000", "11010519491231002X", "110105491231002"]
    for _ in range(700):
        birth = random_date(rng, dt.date(1880, 1, 1), today)
        s = make_citizen_id(rng.choice(AREAS), birth, rng.randrange(1000))
        cases += [s, noisy(rng, s)]
        cases.append(s[:17] + rng.choice([c for c in "0123456789X" if c != s[17]]))  # bad check
        cases.append(s[: rng.randrange(1, 18)])  # cut short
        cases.append(s + rng.choice("0X"))  # too long
        i = rng.randrange(17)
        cases.append(s[:i] + rng.choice("AXY-中") + s[i + 1 :])  # a stray character
        cases.append(rng.choice(["0", "1"]) + s[1:2] + "0000" + s[6:])  # area
        y, m, d = birth.year, rng.choice([0, 2, 13, 4]), rng.choice([0, 29, 30, 31, 32])
        cases.append(s[:6] + f"{y:04d}{m:02d}{d:02d}" + s[14:])  # impossible dates
        cases.append(s[:6] + f"{rng.choice([1879, 1900, 2000, 2100, today.year + 1]):04d}0229" + s[14:])
        old = make_citizen_id(rng.choice(AREAS), random_date(rng, dt.date(1900, 1, 1), dt.date(1999, 12, 31)), 7)
        old15 = old[:6] + old[8:17]
        cases += [old15, noisy(rng, old15), old15[:8] + "1399" + old15[12:], old15[:8] + "0229" + old15[12:]]
    return cases


def uscc_cases(rng: random.Random) -> list[str | None]:
    cases: list[str | None] = ["91350100M000100Y43", "91350100M000100Y4"]
    for _ in range(500):
        body = "".join(rng.choice(USCC_ORG_BODY) for _ in range(8))
        s = make_uscc(rng.choice("123456789ANY"), rng.choice("123459"), rng.choice(AREAS), body)
        cases += [s, noisy(rng, s)]
        cases.append(s[:17] + rng.choice([c for c in USCC_ALPHABET if c != s[17]]))  # bad check
        # the embedded GB 11714 check wrong but the overall check recomputed: only the org check fails
        bad_org = s[:16] + rng.choice([c for c in USCC_ALPHABET if c != s[16]])
        cases.append(bad_org + uscc_check_char(bad_org))
        i = rng.randrange(18)
        cases.append(s[:i] + rng.choice("IOSVZ-") + s[i + 1 :])
        cases.append(s[:2] + "44A604" + s[8:])
        cases.append(s[: rng.randrange(1, 18)])
    return cases

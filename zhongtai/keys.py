"""Stable pseudonymous keys: a keyed hash of a normalised identifier, so ID numbers never need to travel.

The same formula is the dbt macro `pseudonym_key`; a test holds the two together. It is a
secret-prefixed SHA-256 rather than HMAC because it must be expressible in portable SQL.
"""

from __future__ import annotations

import hashlib


def pseudonym(secret: str, kind: str, normalised_identifier: str) -> str:
    """Same input and secret give the same key; without the secret the key reveals nothing."""
    return hashlib.sha256(f"{secret}|{kind}|{normalised_identifier}".encode()).hexdigest()[:24]

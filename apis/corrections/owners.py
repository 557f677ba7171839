"""Which department decides a correction: the owner of the district register that holds the corrected attribute,
read from the source registry (never a source id written here)."""

from __future__ import annotations

from functools import lru_cache

from catalog.registry import load_registry, registry_dirs
from zhongtai.settings import Settings

# the roster column a cadre corrected → the district register whose owner answers for it
REGISTER_OF = {
    "name": "household",
    "sex": "household",
    "birth_date": "household",
    "relation_to_head": "household",
    "actual_address": "grid_population",  # where a person actually lives is the grid platform's to record
}


@lru_cache(maxsize=4)
def _register_owners(extra_dirs: str | None) -> dict[str, str]:
    owners: dict[str, str] = {}
    for source in load_registry(*registry_dirs(extra_dirs)):
        for entity in source.entities:
            for role in entity.mentions.roles if entity.mentions else ():
                if role.district_register:
                    owners.setdefault(role.district_register, source.owner_department)
    return owners


def owner_department(settings: Settings, attribute: str) -> str | None:
    """The department that reviews corrections of this roster column; None when no register holds it."""
    register = REGISTER_OF.get(attribute)
    return _register_owners(settings.registry_dirs).get(register) if register else None


def departments(settings: Settings) -> list[str]:
    """Every department that reviews corrections."""
    owners = _register_owners(settings.registry_dirs)
    return sorted({owners[r] for r in REGISTER_OF.values() if r in owners})

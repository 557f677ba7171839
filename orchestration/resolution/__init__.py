"""Entity resolution for mentions without a valid identifier: Splink for people, name rules for organisations.

Deterministic matching on the valid citizen ID / credit code stays in dbt. This package only decides, for each
mention whose identifier is missing or broken, which golden record it belongs to — or that a person must look at
it — and writes that decision to the link tables (zhongtai.bookkeeping), which dbt reads as sources.

features  — the comparison columns and Splink's input
model     — comparisons, reproducible training (`zhongtai resolution train`), the committed model and thresholds
decisions — link / review / neither for people; code body or name for organisations
asset     — the Dagster asset that runs them on the warehouse
"""

from orchestration.resolution.decisions import (
    PersonResolution,
    decide,
    normalise_org_name,
    resolve_orgs,
    resolve_persons,
)
from orchestration.resolution.features import LinkageInput, linkage_input, normalise_name, person_features
from orchestration.resolution.model import (
    PERSON_MODEL,
    Thresholds,
    load_person_model,
    load_thresholds,
    splink_connection,
    train,
    train_person_model,
)

__all__ = [
    "PERSON_MODEL",
    "LinkageInput",
    "PersonResolution",
    "Thresholds",
    "decide",
    "linkage_input",
    "load_person_model",
    "load_thresholds",
    "normalise_name",
    "normalise_org_name",
    "person_features",
    "resolve_orgs",
    "resolve_persons",
    "splink_connection",
    "train",
    "train_person_model",
]

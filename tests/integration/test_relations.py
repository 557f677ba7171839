"""Master-data relations on the `small` district, measured against the sandbox's ground truth.

Households and their members (from the household register), residences (registered, actual, rented, owned),
enterprise premises and legal representatives: each relation row is traced to the true person or enterprise through
the ID number or credit code it carries, and compared with where the truth says they live or who represents them.
"""

from __future__ import annotations

import polars as pl
import pytest

from tests.support.readers import delivered_id_is_valid, nonempty, query, truth
from zhongtai.settings import Settings

pytestmark = pytest.mark.integration

RECORD = ["source_id", "entity", "record_id"]


@pytest.fixture(scope="module")
def settings(small_run: Settings) -> Settings:
    return small_run


def true_people(settings: Settings) -> pl.DataFrame:
    """Each natural person's key with the truth about them (through the ID number the key was made from)."""
    keys = query(settings, "select person_key, id_number from marts.natural_person")
    people = truth(settings, "persons").rename({"citizen_id": "id_number"})
    joined = keys.join(people, on="id_number", how="inner")
    assert joined.height == keys.height  # every natural person is a true person
    return joined


def planted_values(settings: Settings, attribute: str) -> pl.DataFrame:
    """person_id, planted: the values of `attribute` planted wrong in a delivery (sandbox/discrepancies.py)."""
    found = truth(settings, "discrepancies").filter(pl.col("attribute") == attribute)
    return found.select("person_id", planted="delivered")


def register_entries(settings: Settings) -> pl.DataFrame:
    """The household register as delivered (each person once), with the truth about each entry's person."""
    records = truth(settings, "source_records").filter(
        (pl.col("system") == "hukou") & (pl.col("fault").fill_null("") != "duplicate_row")
    )
    people = truth(settings, "persons").select("person_id", "household_no", "relation")
    return records.with_columns(valid=delivered_id_is_valid()).join(people, on="person_id", how="inner")


def test_households_are_the_registers_households_with_the_true_size_and_head(settings: Settings) -> None:
    register = register_entries(settings)
    households = nonempty(
        query(
            settings,
            "select household_no, village_code, address, member_count, unresolved_member_count, head_person_key "
            "from marts.household",
        ),
        "households",
    )
    assert set(households["household_no"]) == set(register["household_no"])

    # where every entry of a household has a valid ID, its size is the number of people on its register
    complete = register.group_by("household_no").agg(
        size=pl.col("person_id").n_unique(), all_valid=pl.col("valid").all()
    )
    sizes = households.join(complete, on="household_no").filter(pl.col("all_valid"))
    assert sizes.height >= 0.95 * households.height
    assert (sizes["member_count"] == sizes["size"]).all()
    assert (sizes["unresolved_member_count"] == 0).all()
    print("households", households.height, "with every entry valid", sizes.height)

    # village and address are the true household's
    true_households = truth(settings, "households").select(
        "household_no", "head_person_id", t_village="village_code", t_address="address"
    )
    placed = households.join(true_households, on="household_no", how="inner")
    assert placed.height == households.height
    assert (placed["village_code"] == placed["t_village"]).all()
    assert (placed["address"] == placed["t_address"]).all()

    # the head is the true head wherever the register has the head's entry with a valid ID
    people = true_people(settings).select("person_key", "person_id")
    heads = nonempty(placed.join(people, left_on="head_person_key", right_on="person_key", how="inner"), "heads")
    assert (heads["person_id"] == heads["head_person_id"]).all()
    registered_heads = register.filter((pl.col("relation") == "户主") & pl.col("valid"))
    assert heads.height == registered_heads["household_no"].n_unique()


def test_members_are_in_their_true_household_and_in_no_other(settings: Settings) -> None:
    members = query(
        settings,
        "select person_key, household_no, relation_to_head, is_head, match_method from marts.household_member",
    )
    # nobody is in two households, and every member is a natural person
    assert members["person_key"].is_unique().all()
    people = true_people(settings)
    traced = members.join(
        people.select("person_key", "person_id", t_household="household_no", t_relation="relation"),
        on="person_key",
        how="left",
    )
    assert traced["person_id"].null_count() == 0

    # everyone on the register with a valid ID is a member, of the household the truth says, as the truth says
    register = register_entries(settings)
    assert set(register.filter(pl.col("valid"))["person_id"]) <= set(traced["person_id"])
    # at `small` the register delivers every ID valid, so every member is matched by it (none by probability)
    assert register["valid"].all() and (nonempty(traced, "members")["match_method"] == "deterministic_id").all()
    assert (traced["household_no"] == traced["t_household"]).all()
    # the relation is the truth's, but where the sandbox planted a wrong one in the register: that one, as delivered
    planted = planted_values(settings, "relation_to_head")
    assert planted.height > 0
    traced = traced.join(planted, on="person_id", how="left")
    assert traced.select((pl.col("relation_to_head") == pl.coalesce("planted", "t_relation")).all()).item()
    assert traced["planted"].drop_nulls().len() == planted.height
    assert (traced["is_head"] == (traced["relation_to_head"] == "户主")).all()

    # the households' sizes add up to their members, and the golden record's household number agrees
    total = query(settings, "select sum(member_count) as n from marts.household")["n"][0]
    assert total == members.height
    disagreeing = query(
        settings,
        "select count(*) as n from marts.household_member m "
        "join marts.natural_person p using (person_key) where p.household_no is distinct from m.household_no",
    )["n"][0]
    assert disagreeing == 0


def test_residences_are_where_the_truth_says_people_live(settings: Settings) -> None:
    residences = query(
        settings,
        "select person_key, residence_kind, house_no, address, village_code, grid_code, located_by, is_latest, "
        "source_id, match_method from marts.person_residence",
    )
    assert set(residences["residence_kind"]) == {"registered", "actual", "rented", "owned"}
    people = true_people(settings).select(
        "person_key",
        "person_id",
        "is_migrant",
        t_house="house_no",
        t_address="address",
        t_village="village_code",
        t_grid="grid_code",
    )
    traced = residences.join(people, on="person_key", how="inner")
    assert traced.height == residences.height
    # where the sandbox planted an outdated actual address in the grid platform's delivery, the grid's residence is
    # that one, as delivered
    planted = planted_values(settings, "actual_address")
    assert planted.height > 0
    traced = traced.join(planted, on="person_id", how="left").with_columns(
        t_address=pl.when((pl.col("source_id") == "grid") & pl.col("planted").is_not_null())
        .then(pl.col("planted"))
        .otherwise(pl.col("t_address"))
    )

    # at `small` everyone has one home: every source that speaks of a residence names it (and never another)
    compared = {"house_no": "t_house", "address": "t_address", "village_code": "t_village", "grid_code": "t_grid"}
    for method, floor in (("deterministic_id", 1.0), ("probabilistic", 0.99)):
        rows = traced.filter(pl.col("match_method") == method)
        for column, true_column in compared.items():
            known = nonempty(rows.filter(pl.col(column).is_not_null()), f"{method} residences with a {column}")
            share = (known[column] == known[true_column]).mean()
            print(method, column, known.height, f"{share:.4f}")
            assert share is not None and share >= floor, (method, column)
    assert traced["village_code"].null_count() == 0

    # registered residence only for people on the register; the grid's own grid for every grid record
    assert not traced.filter(pl.col("residence_kind") == "registered")["is_migrant"].any()
    grid_rows = nonempty(traced.filter(pl.col("source_id") == "grid"), "residences from the grid")
    assert (grid_rows["located_by"] == "grid_record").all()
    assert (traced.filter(pl.col("located_by") == "grid_record")["source_id"] == "grid").all()

    # each person's latest residence of each kind is one row; every living person the grid saw has an actual one
    latest = traced.filter(pl.col("is_latest")).group_by("person_key", "residence_kind").len()
    assert (latest["len"] == 1).all()
    assert latest.height == traced.select("person_key", "residence_kind").unique().height
    seen = truth(settings, "source_records").filter(pl.col("system") == "grid").filter(delivered_id_is_valid())
    actual = set(traced.filter(pl.col("residence_kind") == "actual")["person_id"])
    assert set(seen["person_id"]) <= actual


def test_premises_are_the_registered_addresses(settings: Settings) -> None:
    premises = query(
        settings,
        "select p.org_key, l.uscc, p.address, p.village_code, p.grid_code, p.source_id "
        "from marts.enterprise_premises p join marts.legal_person l using (org_key)",
    )
    enterprises = truth(settings, "enterprises").select("uscc", t_address="address", t_village="village_code")
    registered = premises.filter(pl.col("source_id") == "market_registry").join(enterprises, on="uscc", how="inner")
    nonempty(registered, "registered premises")
    # every true enterprise has its registered premises, at its true address and village
    assert set(registered["uscc"]) == set(enterprises["uscc"])
    assert (registered["address"] == registered["t_address"]).all()
    assert (registered["village_code"] == registered["t_village"]).all()
    print("premises", premises.height, "with a grid", premises["grid_code"].drop_nulls().len())


def test_legal_representatives_are_the_true_ones(settings: Settings) -> None:
    roles = query(
        settings,
        "select r.person_key, r.org_key, r.role, r.match_method, r.source_id, r.entity, r.record_id, p.id_number "
        "from marts.person_enterprise_role r join marts.natural_person p using (person_key)",
    )
    assert roles.select("org_key", "person_key", "role").is_unique().all()
    # the representative as the registry delivered them, and the enterprise they represent
    records = (
        truth(settings, "source_records")
        .filter(pl.col("system") == "market_registry")
        .with_columns(valid=delivered_id_is_valid())
        .select(pl.col("system").alias("source_id"), "entity", "record_id", "valid")
        .join(
            truth(settings, "enterprise_records").rename({"system": "source_id"}).select(*RECORD, "enterprise_id"),
            on=RECORD,
        )
        .join(
            truth(settings, "enterprises").select("enterprise_id", "legal_rep_person_id", "entity_type"),
            on="enterprise_id",
        )
        .join(
            truth(settings, "persons").select(legal_rep_person_id="person_id", t_id="citizen_id"),
            on="legal_rep_person_id",
        )
    )
    traced = records.join(roles, on=RECORD, how="left")

    # where the registry gave a valid ID, the role is there and names the true representative
    valid = nonempty(traced.filter(pl.col("valid")), "representatives with a valid ID")
    assert valid["person_key"].null_count() == 0
    assert (valid["id_number"] == valid["t_id"]).all()
    assert (valid["match_method"] == "deterministic_id").all()
    # a sole trader's is its operator (经营者), everyone else's its legal representative
    represented = traced.drop_nulls("person_key")
    sole = represented["entity_type"] == "个体工商户"
    assert (nonempty(represented.filter(sole), "sole traders")["role"] == "operator").all()
    assert (nonempty(represented.filter(~sole), "companies")["role"] == "legal_representative").all()

    # where it did not, a probabilistic link (if any) names the true representative too
    linked = nonempty(traced.filter(~pl.col("valid") & pl.col("person_key").is_not_null()), "linked without an ID")
    assert (linked["id_number"] == linked["t_id"]).mean() >= 0.99
    print("roles", roles.height, "valid IDs", valid.height, "linked without one", linked.height)

    # the relation is legal_person's representative, nothing more and nothing less
    reps = query(
        settings,
        "select org_key, legal_rep_person_key as person_key from marts.legal_person "
        "where legal_rep_person_key is not null",
    )
    assert set(reps.iter_rows()) == set(roles.select("org_key", "person_key").iter_rows())

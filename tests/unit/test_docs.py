"""Docs that are tested: every CLI command and make target a user can run is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from zhongtai.cli import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group: typer.Typer, prefix: str = "zhongtai") -> list[str]:
    click_group = typer.main.get_command(group)
    found = []
    for name, command in click_group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        if sub:
            found += [f"{prefix} {name} {s}" for s in sub]
        else:
            found.append(f"{prefix} {name}")
    return found


def test_every_cli_command_is_in_the_readme() -> None:
    missing = [c for c in commands(app) if c not in README]
    assert not missing, f"README does not mention: {missing}"


def test_every_make_target_with_help_is_in_make_help_and_the_readme_names_the_two_commands() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = re.findall(r"^([a-z-]+):.*## ", makefile, flags=re.M)
    assert {"demo", "test", "help"} <= set(targets)
    assert "make demo" in README and "make test" in README


def test_every_setting_is_documented_in_the_readme() -> None:
    from zhongtai.settings import Settings

    missing = [f"ZHONGTAI_{n.upper()}" for n in Settings.model_fields if f"ZHONGTAI_{n.upper()}" not in README]
    assert not missing, f"README does not document: {missing}"


def test_every_api_route_is_in_the_readme() -> None:
    from apis.main import create_app
    from zhongtai.settings import Settings

    paths = create_app(Settings()).openapi()["paths"]
    routes = [f"{m.upper()} {p.replace('{dataset_id}', '{id}')}" for p, ops in paths.items() for m in ops]
    missing = [route for route in routes if f"`{route}" not in README]
    assert routes and not missing, f"README does not document the routes: {missing}"

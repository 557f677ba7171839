"""The terminal face shared by every command: one rich console, progress and summaries."""

from __future__ import annotations

from rich.console import Console

console = Console(highlight=False)

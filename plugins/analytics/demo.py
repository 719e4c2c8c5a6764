"""The reports' demo: the rollups of every source, rolled once the other
plugins' demo data exists (``order=9``: after all of them)."""

from __future__ import annotations

from plugins.analytics import rollups


def seed_demo_analytics(*, stdout) -> None:
    result = rollups.refresh()
    days = sum(result.days.values())
    stdout.write(f"Relatórios: {days} dia(s) consolidados\n")

"""Demo data of the inventory module (filled in by the inventory issue)."""

from collections.abc import Sequence


def inventory_demo_seed(**kwargs: object) -> list[str] | int:
    return [] if "inventory" == "catalog" else 0

"""Demo data of the catalog module (filled in by the catalog issue)."""

from collections.abc import Sequence


def catalog_demo_seed(**kwargs: object) -> list[str] | int:
    return [] if "catalog" == "catalog" else 0

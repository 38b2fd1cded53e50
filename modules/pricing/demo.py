"""Demo data of the pricing module (filled in by the pricing issue)."""

from collections.abc import Sequence


def pricing_demo_seed(**kwargs: object) -> list[str] | int:
    return [] if "pricing" == "catalog" else 0

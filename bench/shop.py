"""The bench's shop, deterministic: product ``n`` is always the same product with the same 3 variants and price.

Pure Python (no Django), shared by the seeding script and the bench, so the
bench knows every slug and SKU without asking the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

VARIANTS = ("S", "M", "L")
CATEGORIES = (
    "apparel/men/shirts",
    "apparel/men/trousers",
    "apparel/women/dresses",
    "apparel/women/knitwear",
    "footwear/sneakers",
    "footwear/boots",
    "home/kitchen/cookware",
    "home/kitchen/tableware",
    "home/decor",
    "electronics/audio",
    "electronics/accessories",
    "outdoor/camping",
)
_ADJECTIVES = ("Classic", "Everyday", "Heritage", "Urban", "Coastal", "Alpine", "Essential", "Studio", "Nordic", "Vintage")
_MATERIALS = ("Cotton", "Organic", "Recycled", "Merino", "Linen", "Stoneware", "Oak", "Aluminium", "Canvas", "Wool")
_NOUNS = ("Shirt", "Trousers", "Dress", "Sweater", "Sneaker", "Boot", "Skillet", "Mug", "Lamp", "Speaker", "Cable", "Tent")


@dataclass(frozen=True, slots=True)
class Product:
    number: int
    slug: str
    name: str
    description: str
    category: str
    skus: tuple[str, ...]
    price_eur: Decimal


def product(number: int) -> Product:
    """Return bench product ``number`` (1-based); the same on every run."""
    leaf = number % len(CATEGORIES)
    adjective = _ADJECTIVES[(number * 7) % len(_ADJECTIVES)]
    material = _MATERIALS[(number * 3 + number // 10) % len(_MATERIALS)]
    noun = _NOUNS[leaf]
    name = f"{adjective} {material} {noun} {number}"
    return Product(
        number=number,
        slug=f"bench-{number:06d}",
        name=name,
        description=(
            f"The {name.lower()}: a dependable {noun.lower()} in {material.lower()}, made to last and easy to care for. "
            f"Part of the {adjective.lower()} range."
        ),
        category=CATEGORIES[leaf],
        skus=tuple(f"B{number:06d}-{size}" for size in VARIANTS),
        price_eur=Decimal(5 + (number * 37) % 245) - Decimal("0.01"),
    )


def products(count: int) -> list[Product]:
    return [product(n) for n in range(1, count + 1)]


def hot_sku() -> str:
    """The SKU every client buys in the hot-SKU run; no other flow buys it."""
    return product(1).skus[0]

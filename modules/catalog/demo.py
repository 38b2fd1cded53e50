"""Demo data of the catalog: a realistic, deterministic shop of any size, loaded in bulk.

Product ``n`` is always the same product (its name, category and variants
come from ``n`` alone), so seeding again, or seeding a larger shop later,
only adds what is missing. Rows are bulk-inserted without events: demo data
is a starting state, not business facts for subscribers.
"""

from __future__ import annotations

import random

from kernel.transactions import atomic_for
from modules.catalog.cache import catalog_changed
from modules.catalog.models import Category, Product, ProductMedia, Variant
from modules.catalog.services import catalog_db, products_listed_refresh

_BATCH = 500

# (path, name, nouns, variant axis, variant values)
_LEAVES: tuple[tuple[str, str, tuple[str, ...], str, tuple[str, ...]], ...] = (
    (
        "apparel/men/shirts",
        "Shirts",
        ("Oxford Shirt", "Linen Shirt", "Flannel Shirt", "Polo"),
        "size",
        ("S", "M", "L", "XL"),
    ),
    (
        "apparel/men/trousers",
        "Trousers",
        ("Chinos", "Cargo Trousers", "Corduroys", "Jeans"),
        "size",
        ("30", "32", "34", "36"),
    ),
    (
        "apparel/women/dresses",
        "Dresses",
        ("Wrap Dress", "Midi Dress", "Shirt Dress", "Slip Dress"),
        "size",
        ("XS", "S", "M", "L"),
    ),
    (
        "apparel/women/knitwear",
        "Knitwear",
        ("Cardigan", "Turtleneck", "Crew Sweater", "Cable Knit"),
        "size",
        ("XS", "S", "M", "L"),
    ),
    (
        "footwear/sneakers",
        "Sneakers",
        ("Runner", "Court Sneaker", "Trail Shoe", "Slip-On"),
        "size",
        ("40", "41", "42", "43"),
    ),
    (
        "footwear/boots",
        "Boots",
        ("Chelsea Boot", "Hiking Boot", "Desert Boot", "Work Boot"),
        "size",
        ("40", "41", "42", "43"),
    ),
    (
        "home/kitchen/cookware",
        "Cookware",
        ("Skillet", "Saucepan", "Dutch Oven", "Wok"),
        "diameter",
        ("20 cm", "24 cm", "28 cm", "32 cm"),
    ),
    (
        "home/kitchen/tableware",
        "Tableware",
        ("Dinner Plate", "Mug", "Serving Bowl", "Tumbler"),
        "colour",
        ("White", "Slate", "Sage", "Sand"),
    ),
    (
        "home/decor",
        "Decor",
        ("Table Lamp", "Throw Blanket", "Vase", "Cushion Cover"),
        "colour",
        ("Ivory", "Charcoal", "Ochre", "Teal"),
    ),
    (
        "electronics/audio",
        "Audio",
        ("Headphones", "Earbuds", "Bluetooth Speaker", "Turntable"),
        "colour",
        ("Black", "White", "Navy", "Red"),
    ),
    (
        "electronics/accessories",
        "Accessories",
        ("USB-C Cable", "Charger", "Power Bank", "Laptop Sleeve"),
        "variant",
        ("1 m", "2 m", "3 m", "Pack of 2"),
    ),
    (
        "outdoor/camping",
        "Camping",
        ("Tent", "Sleeping Bag", "Camp Stove", "Headlamp"),
        "capacity",
        ("1 person", "2 person", "3 person", "4 person"),
    ),
)
_BRANCH_NAMES = {
    "apparel": "Apparel",
    "apparel/men": "Men",
    "apparel/women": "Women",
    "footwear": "Footwear",
    "home": "Home",
    "home/kitchen": "Kitchen",
    "electronics": "Electronics",
    "outdoor": "Outdoor",
}
_ADJECTIVES = (
    "Classic",
    "Everyday",
    "Heritage",
    "Urban",
    "Coastal",
    "Alpine",
    "Essential",
    "Studio",
    "Nordic",
    "Vintage",
)
_MATERIALS = ("Cotton", "Organic", "Recycled", "Merino", "Cast-Iron", "Stoneware", "Oak", "Aluminium", "Canvas", "Wool")


def _categories_ensure() -> dict[str, Category]:
    """Create the demo category tree where missing; return every demo category by its demo path.

    Categories are found by slug (slugs are unique shop-wide), so a demo
    category someone moved elsewhere is reused where it now is.
    """
    wanted = dict(_BRANCH_NAMES)
    wanted.update({path: name for path, name, *_ in _LEAVES})
    by_slug = {c.slug: c for c in Category.objects.filter(slug__in=[p.rpartition("/")[2] for p in wanted])}
    found: dict[str, Category] = {}
    for path in sorted(wanted, key=lambda p: (p.count("/"), p)):
        parent_path, _, slug = path.rpartition("/")
        if slug not in by_slug:
            parent = found.get(parent_path)
            by_slug[slug] = Category.objects.create(
                slug=slug, name=wanted[path], parent=parent, path=f"{parent.path}/{slug}" if parent else slug
            )
        found[path] = by_slug[slug]
    return found


def _product_plan(number: int) -> tuple[str, str, str, str, list[tuple[str, str, str]]]:
    """Return (slug, name, description, leaf path, [(sku, variant name, axis value)]) of demo product ``number``."""
    rng = random.Random(number)
    leaf_path, _, nouns, axis, values = _LEAVES[number % len(_LEAVES)]
    noun = rng.choice(nouns)
    name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_MATERIALS)} {noun}"
    slug = f"{name.lower().replace(' ', '-')}-{number:05d}"
    description = (
        f"The {name.lower()}: a dependable {noun.lower()} from our {leaf_path.split('/')[0]} range, "
        f"made to last and easy to care for."
    )
    count = rng.randint(1, 4)
    prefix = "".join(word[0] for word in noun.replace("-", " ").split()).upper()
    variants = [(f"{prefix}-{number:05d}-{i + 1}", value, value) for i, value in enumerate(values[:count])]
    return slug, name, description, leaf_path, variants


def catalog_demo_seed(*, products: int = 200) -> list[str]:
    """Load ``products`` demo products (1 to 4 variants each) where missing; return every demo SKU.

    Idempotent and deterministic: a second run inserts nothing. About one
    product in 25 stays a draft and one variant in 30 is discontinued, so the
    storefront's visibility rules have something to hide.
    """
    with atomic_for(Product):
        categories = _categories_ensure()
        plans = [_product_plan(number) for number in range(1, products + 1)]
        known_slugs = set(Product.objects.values_list("slug", flat=True))
        Product.objects.bulk_create(
            [
                Product(
                    slug=slug,
                    name=name,
                    description=description,
                    category=categories[leaf],
                    attributes={"brand": "Demo & Co.", "origin": ("PT", "DE", "IT", "VN")[number % 4]},
                    status=Product.Status.DRAFT if number % 25 == 0 else Product.Status.PUBLISHED,
                )
                for number, (slug, name, description, leaf, _) in enumerate(plans, start=1)
                if slug not in known_slugs
            ],
            batch_size=_BATCH,
        )
        ids = dict(Product.objects.values_list("slug", "id"))
        known_skus = set(Variant.objects.values_list("sku", flat=True))
        axis_of = {path: axis for path, _, _, axis, _ in _LEAVES}
        Variant.objects.bulk_create(
            [
                Variant(
                    product_id=ids[slug],
                    sku=sku,
                    name=variant_name,
                    attributes={axis_of[leaf]: value},
                    active=not (number % 30 == 0 and index == len(variants) - 1 and index > 0),
                )
                for number, (slug, _, _, leaf, variants) in enumerate(plans, start=1)
                for index, (sku, variant_name, value) in enumerate(variants)
                if sku not in known_skus
            ],
            batch_size=_BATCH,
        )
        with_media = set(ProductMedia.objects.values_list("product_id", flat=True).distinct())
        ProductMedia.objects.bulk_create(
            [
                ProductMedia(
                    product_id=ids[slug],
                    url=f"https://picsum.photos/seed/{slug}/800/800",
                    alt=name,
                    position=0,
                )
                for slug, name, *_ in plans
                if ids[slug] not in with_media
            ],
            batch_size=_BATCH,
        )
        products_listed_refresh(product_ids=ids.values())
        catalog_changed(using=catalog_db())
    return [sku for *_, variants in plans for sku, _, _ in variants]

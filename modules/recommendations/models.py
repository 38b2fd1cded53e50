"""The recommendations read model: built only from events, never from another module's tables.

- ``SeenProduct``/``SeenVariant``: what the module knows of a product it saw sold
  (slug, name, category path at sale time) and whether the catalog hid it;
- ``SeenOrder``: one row per order number, so that a placed order counts once
  and a cancelled one is taken back once, whichever event arrives first;
- ``ProductPair``: for each ordered pair of products sold in one order, how many
  orders hold both and their recency-weighted score (forward decay: an order
  weighs 2^((placed_at - epoch) / half-life), so older orders weigh less in
  the ranking and no score ever needs rewriting as time passes);
- ``CategorySale``: units sold per (order, product, category or ancestor) and when,
  for "popular in this category" over a recent window.
"""

from __future__ import annotations

from django.db import models


class SeenProduct(models.Model):
    product_id = models.BigIntegerField(unique=True)
    slug = models.CharField(max_length=200, db_index=True)
    name = models.CharField(max_length=300, blank=True, default="")
    category_path = models.CharField(max_length=1000, blank=True, default="")
    hidden = models.BooleanField(default=False)  # unpublished in the catalog
    # When the catalog last (un)published it: an older visibility event changes nothing.
    visibility_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.slug


class SeenVariant(models.Model):
    sku = models.CharField(max_length=64, unique=True)
    product_id = models.BigIntegerField(db_index=True)
    discontinued = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.sku


class SeenOrder(models.Model):
    number = models.CharField(max_length=64, unique=True)
    placed_at = models.DateTimeField(null=True, blank=True)
    weight = models.FloatField(default=0)
    product_ids = models.JSONField(default=list)  # the products it counted, in the order considered
    counted = models.BooleanField(default=False)  # its OrderPlaced was applied
    cancelled = models.BooleanField(default=False)  # its OrderCancelled was applied (before or after)

    def __str__(self) -> str:
        return self.number


class ProductPair(models.Model):
    product_id = models.BigIntegerField()
    other_id = models.BigIntegerField()
    orders = models.IntegerField(default=0)
    score = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product_id", "other_id"], name="recommendations_pair_once")]
        indexes = [models.Index(fields=["product_id", "-score"], name="recommendations_pair_rank")]


class CategorySale(models.Model):
    order_number = models.CharField(max_length=64, db_index=True)
    category = models.CharField(max_length=200)  # one slug of the product's category path
    product_id = models.BigIntegerField()
    quantity = models.IntegerField()
    placed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["category", "placed_at"], name="recommendations_sale_recent")]

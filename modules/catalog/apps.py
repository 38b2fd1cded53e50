from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "modules.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from contracts.catalog import ProductPublished, ProductUnpublished, VariantDiscontinued
        from contracts.events import subscribe
        from contracts.inventory import BackInStock, OutOfStockReached
        from contracts.pricing import PriceChanged
        from modules.catalog import handlers

        # The cache may be Redis (an outside service): no catalog transaction stays open across it.
        for event_type, name, handler in (
            (PriceChanged, "catalog.cache_price_changed", handlers.storefront_cache_invalidate),
            (OutOfStockReached, "catalog.cache_out_of_stock", handlers.storefront_cache_invalidate),
            (BackInStock, "catalog.cache_back_in_stock", handlers.storefront_cache_invalidate),
            (ProductPublished, "catalog.cache_product_published", handlers.catalog_cache_invalidate),
            (ProductUnpublished, "catalog.cache_product_unpublished", handlers.catalog_cache_invalidate),
            (VariantDiscontinued, "catalog.cache_variant_discontinued", handlers.catalog_cache_invalidate),
        ):
            subscribe(event_type, name=name, handler=handler, in_transaction=False)

from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "modules.recommendations"
    label = "recommendations"
    verbose_name = "Recommendations"
    # Periodic tasks (name: task, seconds), scheduled wherever recommendations is installed (commerce/schedule.py).
    periodic_tasks = {
        "recommendations-sales-purge": ("modules.recommendations.tasks.sales_purge", 24 * 60 * 60),
    }

    def ready(self) -> None:
        from contracts.catalog import ProductPublished, ProductUnpublished, VariantDiscontinued
        from contracts.checkout import OrderCancelled, OrderPlaced
        from contracts.events import subscribe
        from modules.recommendations import handlers

        # Calls the catalog: no transaction of ours stays open across it; idempotent by SeenOrder.
        subscribe(OrderPlaced, name="recommendations.order_placed_learn", handler=handlers.order_placed_learn, in_transaction=False)
        subscribe(OrderCancelled, name="recommendations.order_cancelled_forget", handler=handlers.order_cancelled_forget)
        subscribe(ProductUnpublished, name="recommendations.product_unpublished_hide", handler=handlers.product_unpublished_hide)
        subscribe(ProductPublished, name="recommendations.product_published_show", handler=handlers.product_published_show)
        subscribe(VariantDiscontinued, name="recommendations.variant_discontinued_drop", handler=handlers.variant_discontinued_drop)

from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "modules.inventory"
    label = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from contracts.checkout import OrderCancelled, OrderPlaced
        from contracts.events import subscribe
        from modules.inventory import handlers

        subscribe(OrderPlaced, name="inventory.order_placed_commit", handler=handlers.order_placed_commit)
        subscribe(OrderCancelled, name="inventory.order_cancelled_return", handler=handlers.order_cancelled_return)

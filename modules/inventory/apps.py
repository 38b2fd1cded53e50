from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "modules.inventory"
    label = "inventory"
    verbose_name = "Inventory"
    # Periodic tasks (name: task, seconds), scheduled wherever inventory is installed (commerce/schedule.py).
    periodic_tasks = {
        "reservations-expire": ("modules.inventory.tasks.reservations_expire", 60),
        "reservations-purge": ("modules.inventory.tasks.reservations_purge", 60 * 60),
    }

    def ready(self) -> None:
        from contracts.checkout import OrderCancelled, OrderPlaced
        from contracts.events import subscribe
        from modules.inventory import handlers

        subscribe(OrderPlaced, name="inventory.order_placed_commit", handler=handlers.order_placed_commit)
        subscribe(OrderCancelled, name="inventory.order_cancelled_return", handler=handlers.order_cancelled_return)

"""Implements ``contracts.inventory.InventoryService``: the one place where models become contract dataclasses."""


class InventoryFacade:
    pass

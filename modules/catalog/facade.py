"""Implements ``contracts.catalog.CatalogService``: the one place where models become contract dataclasses."""


class CatalogFacade:
    pass

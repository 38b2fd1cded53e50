from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "modules.catalog"
    label = "catalog"
    verbose_name = "Catalog"

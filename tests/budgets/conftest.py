from tests.e2e.conftest import new_cart, shop  # noqa: F401  the real shop, loaded through the import commands

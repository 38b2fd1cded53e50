import pytest
from django.db import connections

from tests.e2e.conftest import new_cart, shop  # noqa: F401  the real shop, loaded through the import commands


@pytest.fixture(autouse=True)
def features_probed():
    """Probe what each connection's backend supports before counting: Django asks once per connection, not per request."""
    for connection in connections.all():
        assert connection.features.supports_json_field is not None  # SQLite runs SELECT JSON(...) the first time

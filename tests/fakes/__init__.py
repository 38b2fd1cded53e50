"""One in-memory fake per contract, held to the same conformance suite as the modules (tests/contracts).

Each fake implements its Protocol and adds only what a test needs to set it
up (``variant_add``, ``price_set``, ``stock_set`` ...) and the hooks of
``recording.Recording``: the calls it received and the failures a test arms.
"""

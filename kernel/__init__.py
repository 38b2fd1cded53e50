"""The shared kernel: framework glue without any domain.

HTTP problem details, strict request serializers, pagination and money
fields, used by every module's API. It may import Django and DRF and
``contracts``, never a module or ``commerce``; a module lifted out into its
own service takes it along like ``contracts``.
"""

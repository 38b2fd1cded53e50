"""The shared kernel: framework glue without any domain.

HTTP problem details, strict request serializers and parsers, pagination,
money fields, the JSON renderer, HTTP caching and throttles, admin glue, the
CSV import path (reader, error, admin page, command) and ``atomic_for``,
used by every module. It may import Django and DRF and
``contracts``, never a module or ``commerce``; a module lifted out into its
own service takes it along like ``contracts``.
"""

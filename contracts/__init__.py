"""Published interfaces between the modules: standard library only.

Data and events are frozen dataclasses, services are ``typing.Protocol``
classes, and errors are exception classes. Nothing here imports Django,
DRF, Celery or any module, so a module lifted out into its own service
takes this package along unchanged.
"""

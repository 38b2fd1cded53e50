from django.apps import AppConfig


class EventBusConfig(AppConfig):
    name = "commerce.eventbus"
    label = "eventbus"
    verbose_name = "Events"

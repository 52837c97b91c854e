from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "smarketing.events"
    label = "events"

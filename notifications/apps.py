from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from notifications import receivers

        # The apps below announce their events with signals (they never import notifications).
        receivers.connect()

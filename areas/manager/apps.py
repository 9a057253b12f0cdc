from django.apps import AppConfig


class ManagerAreaConfig(AppConfig):
    name = "areas.manager"
    label = "manager_area"

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from conversions.services import conversion_status_changed
        from reports.services import rollups_move_conversion

        # A status change moves the conversion in the rollups in the same transaction (conversions sits below
        # reports, so it announces the change instead of calling us).
        conversion_status_changed.connect(
            lambda conversion, old_status, **_: rollups_move_conversion(conversion=conversion, old_status=old_status),
            weak=False,
            dispatch_uid="reports.rollups_move_conversion",
        )

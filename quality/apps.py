from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Traffic quality"

    def ready(self):
        # The click and postback read the blocklists from memory (quality.blocklist); a change empties them.
        from quality.blocklist import forget_blocklists
        from quality.models import BlockEntry

        for signal in (post_save, post_delete):
            signal.connect(forget_blocklists, sender=BlockEntry, dispatch_uid=f"forget-blocklists-{signal}")

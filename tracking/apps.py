from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TrackingConfig(AppConfig):
    name = "tracking"

    def ready(self):
        # The click endpoint caches offer/affiliate lookups briefly (tracking.routing); a change empties it.
        from offers.models import Offer, OfferAccess
        from partners.models import Advertiser, Affiliate
        from tracking.routing import forget_click_routes

        for model in (Offer, OfferAccess, Advertiser, Affiliate):
            for signal in (post_save, post_delete):
                signal.connect(forget_click_routes, sender=model, dispatch_uid=f"forget-click-routes-{model.__name__}")

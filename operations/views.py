"""GET /metrics: Prometheus text (README, Operations). Loopback by default; otherwise a bearer token
(TALLY_METRICS_TOKEN) or an address in TALLY_METRICS_ALLOW. Takes the short lane (config/hotpaths.py)."""

from django.views.decorators.http import require_safe

from core.http import plain_page
from core.metrics import metrics_allowed, metrics_response
from operations.metrics import DatabaseCollector


@require_safe
def metrics(request):
    if not metrics_allowed(request):
        return plain_page(403, "Forbidden", "Metrics are readable from allowed addresses or with the bearer token.")
    return metrics_response(DatabaseCollector())

"""GET|POST /postback and HasOffers' /aff_lsr and /aff_goal: an advertiser's server reports a conversion.

Below them, the manager portal's pages: conversions (review, approve, reject) and the postback log (replay).
"""

import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from conversions.postback_pipeline import PostbackRequest, postback_process
from core import metrics
from core.http import client_ip
from core.ratelimit import request_limited, too_many_requests


def _json_params(raw):
    """A JSON object body as a dict of strings; None when it is not one (not JSON, not an object, or nested too
    deeply for the parser: RecursionError, also from turning a deep value into a string)."""
    try:
        body = json.loads(raw or "{}")
        if not isinstance(body, dict):
            return None
        return {str(k): "" if v is None else str(v) for k, v in body.items()}
    except (ValueError, RecursionError):
        return None


def _params(request):
    """Query and body parameters as one dict of strings (body wins); None when the body is not readable."""
    params = {key: request.GET.get(key, "") for key in request.GET}
    if request.method != "POST":
        return params, request.META.get("QUERY_STRING", "")
    raw = request.body.decode("utf-8", errors="replace")
    if request.content_type == "application/json":
        body = _json_params(raw)
        if body is None:
            return None, raw
        params.update(body)
    else:
        params.update({key: request.POST.get(key, "") for key in request.POST})
    return params, raw


def _respond(request, outcome, hasoffers):
    if hasoffers:
        text = "success=true;" if outcome.status != "rejected" else f"success=false; err_msg={outcome.reason};"
        return HttpResponse(text, status=outcome.http_status, content_type="text/plain; charset=utf-8")
    return JsonResponse(outcome.as_json(), status=outcome.http_status)


def _rate_limited(retry_after, hasoffers):
    """429 past the per-IP limit (config/ratelimit.py): answered before any database work, so no log row."""
    detail = f"too many postbacks from this address; retry in {retry_after} s"
    if hasoffers:
        response = HttpResponse("success=false; err_msg=rate_limited;", content_type="text/plain")
    else:
        response = JsonResponse({"status": "rejected", "reason": "rate_limited", "detail": detail})
    return too_many_requests(response, retry_after)


@metrics.timed(metrics.POSTBACK_SECONDS)
def _handle(request, *, hasoffers=False, goal_required=False):
    ip = client_ip(request)
    retry_after = request_limited("postback", ip, limit=settings.TALLY_POSTBACK_RATE_LIMIT)
    if retry_after:
        metrics.postback_counted("rejected", "rate_limited")
        return _rate_limited(retry_after, hasoffers)
    params, payload = _params(request)
    request_info = PostbackRequest(
        params=params if params is not None else {"_body": payload[:2000]},
        body_error="" if params is not None else "the body is not a JSON object",
        source_ip=ip,
        method=request.method,
        path=request.path[:32],
        signed_payload=payload,
        signature=request.headers.get("X-Tally-Signature", ""),
        unsigned_query=request.method == "POST" and bool(request.GET),
        goal_required=goal_required,
    )
    outcome = postback_process(request=request_info)
    metrics.postback_counted(outcome.status, outcome.reason)
    return _respond(request, outcome, hasoffers)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def postback(request):
    return _handle(request)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def postback_hasoffers(request):
    return _handle(request, hasoffers=True)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def postback_hasoffers_goal(request):
    return _handle(request, hasoffers=True, goal_required=True)

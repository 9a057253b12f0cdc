"""Cross-tenant reads through filter parameters: every page, CSV export and API list an outside user may open
(found from the URL resolver and the permission matrix), asked with filters that point at the other side's
affiliate, advertiser, offer, goal, click or sub ID, never shows anything of the other side: the answer is the
user's own rows (200) or a refused filter (400), and none of the other side's names, sub IDs, money or order
references appear in it. Nor do the fields a role never sees (an affiliate: revenue, adv_sub; an advertiser:
payout, affiliate names, sub IDs)."""

import pytest

from tests.security.matrix import act_as, routes
from tests.security.test_permission_matrix import EXPECTED, ROLES

pytestmark = pytest.mark.django_db


# The operator's endpoints answer by address, not by user (the test client is loopback, which /metrics lets in):
# they hold no tenant's rows, and a number in them may match a tenant's money by chance.
OPERATOR_PATHS = {"healthz", "readyz", "metrics"}


def lists_for(role):
    """Paths of the URLs without parameters that `role` may GET (200 in the matrix): its pages, exports, API lists."""
    column = ROLES.index(role)
    found = []
    for route in routes():
        spec = EXPECTED.get(route.key)
        if spec is None or route.kwargs or spec["a"]["GET"].split()[column] != "200":
            continue
        if route.route.strip("^$/") in OPERATOR_PATHS:
            continue
        found.append("/" + route.route.replace("^", "").replace("$", ""))
    return found


def other_side_filters(world, role):
    """Filters naming the objects of the side `role` must not see (B's for affiliate A and advertiser X)."""
    other = "a" if role == "affiliate_b" else "b"
    click = getattr(world, f"click_{other}")
    values = {
        "affiliate": getattr(world, f"affiliate_{other}").pk,
        "aff_id": getattr(world, f"affiliate_{other}").pk,
        "partner_id": getattr(world, f"affiliate_{other}").pk,
        "advertiser": getattr(world, f"advertiser_{other}").pk,
        "offer": getattr(world, f"offer_{other}").pk,
        "offer_id": getattr(world, f"offer_{other}").pk,
        "goal": getattr(world, f"goal_{other}").pk,
        "conversion": getattr(world, f"conversion_{other}").pk,
        "transaction_id": click.transaction_id,
        "aff_sub": click.aff_sub,
        "q": click.aff_sub,
    }
    sets = [{name: value} for name, value in values.items()]
    sets.append(values)
    for group in ("affiliate", "offer", "advertiser", "sub", "date", "day"):
        sets.append({"group_by": group, **values})
    return sets


def secrets_of(world, role):
    """Text that must never reach `role`: the other side's, and the fields its role never sees."""
    if role == "advertiser":  # advertiser X: nothing of Y; of its own conversions no payout, affiliate or sub ID
        return ["Offer Y", "Advertiser Y", "ORDER-OF-Y", "sub-of-b", "Affiliate B", "7.77", "8.88", "b.example"] + [
            "1.11",
            "Affiliate A",
            "sub-of-a",
            "a.example",
            world.click_b.transaction_id,
        ]
    mine, other = ("a", "b") if role == "affiliate_a" else ("b", "a")
    own_revenue, own_order = {"a": ("2.22", "ORDER-OF-X"), "b": ("8.88", "ORDER-OF-Y")}[mine]
    other_payout, other_revenue = {"a": ("1.11", "2.22"), "b": ("7.77", "8.88")}[other]
    other_order = {"a": "ORDER-OF-X", "b": "ORDER-OF-Y"}[other]
    found = [f"sub-of-{other}", f"Affiliate {other.upper()}", f"{other}.example", other_payout, other_revenue]
    found += [other_order, own_revenue, own_order, getattr(world, f"click_{other}").transaction_id]
    if role == "affiliate_a":
        found += ["Offer Y", "Advertiser Y"]  # Y's offer is private to affiliate B
    return found


# Found by this test and left to the code's owners (reported): remove an entry once fixed.
KNOWN_LEAKS = {}


@pytest.mark.parametrize("role", ["affiliate_a", "affiliate_b", "advertiser"])
def test_no_filter_shows_an_outside_user_anything_of_the_other_side(client, world, role):
    paths = lists_for(role)
    assert len(paths) >= 6, paths  # its area, its exports (and the API lists)
    act_as(client, world, role)
    leaks = []
    for path in paths:
        for params in other_side_filters(world, role):
            response = client.get(path, params)
            assert response.status_code in (200, 400), (path, params, response.status_code)
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode()
            echoed = {str(value) for value in params.values()}  # a filter bar shows what was asked
            leaks += [(path, params, text) for text in secrets_of(world, role) if text not in echoed and text in body]
    found = {(path, text) for path, _, text in leaks}
    assert found - KNOWN_LEAKS.get(role, set()) == set(), sorted(found)


def test_the_probe_would_see_a_leak(client, world):
    """The same probe on a manager (who sees everything) finds the secrets: the check above can fail."""
    act_as(client, world, "manager")
    body = client.get("/manage/conversions/").content.decode()

    assert "Affiliate B" in body and "Offer Y" in body

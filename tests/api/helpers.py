"""Small helpers the API tests share."""

ROLES = ("manager", "affiliate_a", "affiliate_b", "advertiser", "anonymous")


def ids(response, key="id"):
    """The `key` of every row on a 200 list page."""
    assert response.status_code == 200, response.content
    return {row[key] for row in response.json()["results"]}

"""Row-level scoping: the one place a queryset is cut down to what a signed-in user may see.

    restrict(Click.objects.all(), user, affiliate="affiliate_id", advertiser="offer__advertiser_id")

Every selector used to spell out the same role switch (manager: all; affiliate: its rows; advertiser: its rows;
anyone else: none). Written once here, a new selector cannot forget the "anyone else sees nothing" branch, and
what each role sees is a declaration (which column links a row to its partner) rather than repeated code.
"""

from core.roles import Role, role_of


def restrict(queryset, user, *, affiliate=None, advertiser=None):
    """`queryset` narrowed to the rows `user` may see.

    Managers see every row. An affiliate's user sees the rows whose `affiliate` lookup path (e.g. "affiliate_id",
    "conversion__affiliate_id", "pk") equals its affiliate's ID; an advertiser's user likewise with `advertiser`.
    Either may instead be a callable `(queryset, user) -> queryset` for a role with a rule of its own. A role given
    no path, and anyone else (anonymous, no membership), sees none: scoping fails closed.
    """
    role = role_of(user)
    if role == Role.MANAGER:
        return queryset
    if role == Role.AFFILIATE:
        rule, partner_id = affiliate, user.membership.affiliate_id
    elif role == Role.ADVERTISER:
        rule, partner_id = advertiser, user.membership.advertiser_id
    else:
        return queryset.none()
    if rule is None:
        return queryset.none()
    if callable(rule):
        return rule(queryset, user)
    return queryset.filter(**{rule: partner_id})

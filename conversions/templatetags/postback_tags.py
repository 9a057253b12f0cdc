"""How a postback's decision trace reads on portal pages: a rule's name, as the manager's trace shows it."""

from django import template

from conversions.reasons import Reason

register = template.Library()


@register.filter
def rule_label(code):
    """What the rule checks (Reason.label), or the bare code of a rule this version does not know."""
    reason = Reason.lookup(code)
    return reason.label if reason else code

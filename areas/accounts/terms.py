"""/terms/: the network's terms and conditions, which the sign-up form asks an applicant to accept.

The text is the network's own: a plain-text file named by TALLY_TERMS_FILE (paragraphs separated by blank lines,
shown as text, never as HTML), or, without one, the template registration/terms_text.html, which a network may
replace by editing it."""

from pathlib import Path

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe


def terms_paragraphs():
    """The paragraphs of TALLY_TERMS_FILE, or None when no file is set (a set but unreadable file fails loudly)."""
    if not settings.TALLY_TERMS_FILE:
        return None
    text = Path(settings.TALLY_TERMS_FILE).read_text(encoding="utf-8")
    return [paragraph.strip() for paragraph in text.replace("\r\n", "\n").split("\n\n") if paragraph.strip()]


@require_safe
def terms(request):
    return render(request, "registration/terms.html", {"paragraphs": terms_paragraphs()})

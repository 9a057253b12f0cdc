"""Checking an uploaded creative image, and the snippets affiliates paste (README.md, Creatives).

An image is judged by its content, never by its name or the browser's claimed type: Pillow must recognise it as
PNG, JPEG, GIF or WebP. SVG (which is XML and may carry script) and anything else are refused, as are files over
TALLY_CREATIVE_MAX_BYTES and images larger than TALLY_CREATIVE_MAX_WIDTH × TALLY_CREATIVE_MAX_HEIGHT pixels.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from PIL import Image, UnidentifiedImageError

# Pillow's format name → the Content-Type the image is served with, and the file extension it is stored under.
FORMATS = {
    "PNG": ("image/png", ".png"),
    "JPEG": ("image/jpeg", ".jpg"),
    "GIF": ("image/gif", ".gif"),
    "WEBP": ("image/webp", ".webp"),
}
CONTENT_TYPES = {content_type for content_type, _ in FORMATS.values()}


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    extension: str
    width: int
    height: int


def _looks_like_markup(head):
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<", b"<?xml")) or b"<svg" in text or b"<html" in text or b"<script" in text


def inspect_image(upload) -> ImageInfo:
    """What the uploaded file really is, or a ValidationError saying why it is refused."""
    limit = settings.TALLY_CREATIVE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"The file is {upload.size // 1024} KB; images may be at most {limit // 1024} KB.", code="too_large"
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if _looks_like_markup(head):
        raise ValidationError(
            "This file is markup (SVG, HTML or XML), not a PNG, JPEG, GIF or WebP image: SVG is not accepted "
            "because it can carry script.",
            code="markup",
        )
    max_width, max_height = settings.TALLY_CREATIVE_MAX_WIDTH, settings.TALLY_CREATIVE_MAX_HEIGHT
    try:
        with Image.open(upload) as image:
            kind, (width, height) = image.format, image.size
            if kind not in FORMATS:
                raise ValidationError(f"{kind} images are not accepted: upload PNG, JPEG, GIF or WebP.", code="format")
            if width > max_width or height > max_height:
                raise ValidationError(
                    f"The image is {width}×{height} px; banners may be at most {max_width}×{max_height} px.",
                    code="too_big",
                )
            image.verify()  # reads the whole file: a truncated or corrupt image fails here
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise ValidationError(
            "This file is not an image Tally can read: upload a PNG, JPEG, GIF or WebP file.", code="not_an_image"
        ) from error
    finally:
        upload.seek(0)
    content_type, extension = FORMATS[kind]
    return ImageInfo(content_type=content_type, extension=extension, width=width, height=height)


def creative_snippet(creative, *, tracking_link, image_url=""):
    """What an affiliate pastes: HTML for a banner or a text link, subject and body for an e-mail; the tracking link
    is filled in. Every value inside the HTML is escaped, whatever a manager typed. Plain text, not a SafeString:
    a page shows the snippet itself (escaped again), never renders it."""
    return str.__str__(_snippet(creative, tracking_link, image_url))  # a plain str, no longer marked safe


def _snippet(creative, tracking_link, image_url):
    if creative.kind == creative.Kind.BANNER:
        return format_html(
            '<a href="{}"><img src="{}" width="{}" height="{}" alt="{}"></a>',
            tracking_link,
            image_url,
            creative.width or "",
            creative.height or "",
            creative.name,
        )
    text = (creative.text or creative.name).replace("{tracking_link}", tracking_link)
    if creative.kind == creative.Kind.TEXT_LINK:
        return format_html('<a href="{}">{}</a>', tracking_link, text)
    body = text if tracking_link in text else f"{text}\n\n{tracking_link}"
    return f"Subject: {creative.subject}\n\n{body}"


def tracking_link_for(request, *, offer, affiliate):
    """The affiliate's plain tracking link for the offer on this Tally (the host the request came to)."""
    query = urlencode({"offer_id": offer.pk, "aff_id": affiliate.pk})
    return f"{request.build_absolute_uri(reverse('tracking:click'))}?{query}"


def public_image_url(request, creative):
    """Where a pasted banner loads its image from (offers.views.creative_public)."""
    return request.build_absolute_uri(reverse("offers:creative_public", args=[creative.public_key]))

"""What an offer's targeting (README, Traffic quality) may name: countries, device types and operating systems.

The click side (quality.services) decides a click's country, device and OS; these are the values it can decide,
so an offer can only be targeted at something a click can turn out to be."""

from django.core.exceptions import ValidationError
from django.db import models

# ISO 3166-1 alpha-2, plus XK (Kosovo: user-assigned, but what the country database answers for it).
_COUNTRY_TEXT = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA
    CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA
    GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS
    MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS
    RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW
    TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_COUNTRY_TEXT.split())
# The same, in order: the API schema's CountryCodeEnum (config/settings.py, ENUM_NAME_OVERRIDES).
COUNTRY_CHOICES = sorted(COUNTRY_CODES)


class Device(models.TextChoices):
    DESKTOP = "desktop"
    MOBILE = "mobile"
    TABLET = "tablet"


class OperatingSystem(models.TextChoices):
    ANDROID = "android", "Android"
    IOS = "ios", "iOS / iPadOS"
    WINDOWS = "windows", "Windows"
    MACOS = "macos", "macOS"
    LINUX = "linux", "Linux"
    CHROMEOS = "chromeos", "ChromeOS"
    OTHER = "other", "Other"


def validate_country_codes(value):
    """A list of distinct ISO 3166-1 alpha-2 codes in upper case."""
    _validate_list(value, COUNTRY_CODES, "country code", hint="ISO 3166-1 alpha-2, e.g. US, GB, DE")


def validate_devices(value):
    _validate_list(value, Device.values, "device type", hint="desktop, mobile or tablet")


def validate_operating_systems(value):
    _validate_list(value, OperatingSystem.values, "operating system", hint=", ".join(OperatingSystem.values))


def _validate_list(value, known, what, *, hint):
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(f"A list of {what}s.")
    unknown = [item for item in value if item not in known]
    if unknown:
        raise ValidationError(f"Unknown {what}: {', '.join(unknown[:10])} ({hint}).")
    if len(set(value)) != len(value):
        raise ValidationError(f"A {what} is listed twice.")

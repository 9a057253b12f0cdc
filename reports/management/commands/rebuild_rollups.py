"""manage.py rebuild_rollups [--from YYYY-MM-DD]: recompute report rollups from raw clicks and conversions."""

import time
from datetime import date

from django.core.management.base import BaseCommand

from reports.services import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the report rollups from raw clicks and conversions (every day, or every day from --from on)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first_day", type=date.fromisoformat, help="first network day, YYYY-MM-DD")

    def handle(self, *args, first_day=None, **options):
        started = time.monotonic()
        written = rollups_rebuild(first_day=first_day)
        scope = f"from {first_day}" if first_day else "for every day"
        self.stdout.write(f"Rebuilt rollups {scope}: {written} rows in {time.monotonic() - started:.1f} s.")

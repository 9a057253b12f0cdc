"""manage.py audit_verify: walk the audit trail's hash chain (README, Audit trail) and report the first broken
entry; exits 1 when the chain does not hold, so a cron job or monitor can alert on it."""

from django.core.management.base import BaseCommand, CommandError

from audit.chain import chain_verify
from audit.models import AuditEntry


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit status 1 at the first entry that does not hold."

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="a head printed by an earlier run, kept off this machine: entry SEQ must still have HASH "
            "(shows a chain rewritten from that entry on, hashes and all). May be given more than once.",
        )

    def handle(self, *args, **options):
        verdict = chain_verify()
        if not verdict.ok:
            where = f"entry #{verdict.broken_seq}" + (f" (row id {verdict.broken_id})" if verdict.broken_id else "")
            raise CommandError(
                f"Audit chain broken at {where}: {verdict.reason}. {verdict.checked} entries before it hold."
            )
        for head in options["head"]:
            seq, _, expected = head.partition(":")
            if not seq.isdigit() or not expected:
                raise CommandError(f"--head takes SEQ:HASH as this command prints them, not {head!r}")
            found = AuditEntry.objects.filter(seq=int(seq)).values_list("hash", flat=True).first()
            if found != expected:
                raise CommandError(
                    f"Audit chain rewritten: entry #{seq} no longer has the hash {expected} recorded earlier."
                )
        self.stdout.write(
            f"Audit chain OK: {verdict.checked} entries, head #{verdict.head_seq} {verdict.head_hash or '-'}"
        )

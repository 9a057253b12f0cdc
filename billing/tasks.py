from celery import shared_task

from billing.services import invoices_draft as draft


@shared_task(ignore_result=True)
def invoices_draft():
    """Draft the invoices of closed billing periods (scheduled hourly by beat; idempotent)."""
    return draft()

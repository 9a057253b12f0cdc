"""Scheduled reports' pages (README.md, Scheduled reports): the "Schedule this report" form's target, the list of
one's schedules, and delete. Each area subclasses them with its gate; a schedule is only ever its owner's (anyone
else's is 404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import select_template
from django.views.generic import TemplateView, View

from reports.forms import ScheduleForm
from reports.schedules import schedule_create, schedule_delete, schedule_list


class ScheduleListView(TemplateView):
    template_name = "reports/schedule_list.html"
    audience = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            audience=self.audience,
            base_template=select_template([f"{self.audience}/base.html", "base.html"]),
            schedules=schedule_list(user=self.request.user).prefetch_related("sends"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Save a new schedule (the report page's form posts here)."""
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                schedule = schedule_create(owner=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"“{schedule.name}” will be e-mailed to {request.user.email or 'you'} (first one within 15 min).",
                )
                return redirect(f"{self.audience}:report_schedule_list")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ScheduleDeleteView(View):
    http_method_names = ["post"]
    audience = ""

    def post(self, request, pk):
        if not schedule_delete(owner=request.user, schedule_id=pk):
            raise Http404("No such scheduled report.")
        messages.success(request, "Scheduled report deleted.")
        return redirect(f"{self.audience}:report_schedule_list")

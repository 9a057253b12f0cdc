from django import forms

from reports.models import ReportSchedule


class ScheduleForm(forms.Form):
    """ "Schedule this report" on a report page: the page's query string comes along hidden."""

    name = forms.CharField(
        max_length=100, label="Name", widget=forms.TextInput(attrs={"placeholder": "Weekly by offer"})
    )
    frequency = forms.ChoiceField(choices=ReportSchedule.Frequency.choices, initial=ReportSchedule.Frequency.WEEKLY)
    query = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)

from django import forms

from notifications.models import AUDIENCE_KINDS, Channel, Kind


class PreferencesForm(forms.Form):
    """One choice per kind of event of the audience: e-mail and inbox, one of them, or nothing."""

    def __init__(self, *args, audience, current, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in AUDIENCE_KINDS[audience]:
            self.fields[kind.value] = forms.ChoiceField(
                label=Kind(kind).label,
                choices=Channel.choices,
                initial=current.get(kind.value, Channel.BOTH),
                required=False,  # a kind left out keeps its setting
            )

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Subscriber


class NoticeSettingsForm(forms.ModelForm):
    frequency = forms.ChoiceField(
        label=_("Send reply notices"),
        choices=Subscriber.Frequency.choices,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Subscriber
        fields = ["frequency", "notify_approved", "notify_rejected"]

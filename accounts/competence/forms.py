"""Forms for staff competence records."""

from django import forms

from accounts.models import StaffQualification, User
from audit.dates import DateInput, NotInFuture

from .services import ACHIEVED_IN_FUTURE, CPD_IN_FUTURE, MEETING_IN_FUTURE, REVIEWED_IN_FUTURE


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(choices=StaffQualification.Kind.choices, label="Qualification")
    achieved_on = forms.DateField(
        widget=DateInput(), label="Achieved on", validators=[NotInFuture(ACHIEVED_IN_FUTURE)]
    )
    certificate_number = forms.CharField(max_length=50, required=False, label="Certificate number")
    expires_on = forms.DateField(
        widget=DateInput(), required=False, label="Expires on", help_text="Only if it expires"
    )


class StatementForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="Occupational competence statement"
    )
    reviewed_on = forms.DateField(
        widget=DateInput(), label="Reviewed on", validators=[NotInFuture(REVIEWED_IN_FUTURE)]
    )


class CpdForm(forms.Form):
    date = forms.DateField(widget=DateInput(), validators=[NotInFuture(CPD_IN_FUTURE)])
    activity = forms.CharField(max_length=300)
    hours = forms.DecimalField(max_digits=5, decimal_places=1, min_value=0.1)
    reflection = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.username})"


class TraineeForm(forms.Form):
    is_trainee = forms.BooleanField(
        required=False, label="Trainee assessor (decisions need a countersignature)"
    )
    countersigning_assessor = PersonChoice(
        queryset=User.objects.none(), required=False, label="Countersigning assessor"
    )

    def __init__(self, *args, assessors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countersigning_assessor"].queryset = assessors


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.username})"


class MeetingForm(forms.Form):
    date = forms.DateField(widget=DateInput(), validators=[NotInFuture(MEETING_IN_FUTURE)])
    topic = forms.CharField(max_length=300)
    attendees = PeopleChoice(queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = staff

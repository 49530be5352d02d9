"""Forms for the people screens. They collect input; accounts.people.services decides."""

from django import forms

from accounts.models import Role

from .selectors import CENTRE_ROLES

ROLE_CHOICES = [(r.value, r.label) for r in CENTRE_ROLES]


class PersonForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(help_text="The invitation to set a password is sent here.")
    username = forms.CharField(
        max_length=150,
        required=False,
        help_text="Suggested from the name (first.last); leave empty to use the suggestion.",
    )
    roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, label="Roles at this centre"
    )
    candidate_number = forms.CharField(
        max_length=30,
        required=False,
        label="Candidate (enrolment) number",
        help_text="For candidates: the awarding body's enrolment number.",
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["username"]
            del self.fields["roles"]

    def clean(self):
        data = super().clean()
        if (
            "roles" in self.fields
            and data.get("candidate_number")
            and Role.CANDIDATE not in data.get("roles", [])
        ):
            self.add_error(
                "candidate_number", "A candidate number is only for people with the candidate role."
            )
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search people")


class InvitationRequestForm(forms.Form):
    email = forms.EmailField(label="Your email address")


class ExistingPersonForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="Their username where they already have an account")
    email = forms.EmailField(help_text="The email address on that account")
    roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, label="Roles at this centre"
    )


PICKER_HELP = "Type the candidate's username or candidate number; suggestions appear as you type."


def picker_attrs(centres) -> dict:
    """A candidate picker's attributes (static/js/picker.js): where its suggestions come from, for the centre
    chosen in the form's `centre` field, else the first of `centres`."""
    from django.urls import reverse

    template = reverse("people:candidate_suggest", args=[0]).replace("/0/", "/{centre}/")
    first = centres.order_by("pk").values_list("pk", flat=True).first()
    return {
        "data-suggest-url": template.replace("{centre}", str(first or 0)),
        "data-suggest-template": template,
        "autocomplete": "off",
        "spellcheck": "false",
    }

"""Forms for the portfolio. They only collect input: the services decide and save."""

import re
import uuid

from django import forms

from audit.dates import DateInput, NotInFuture
from audit.signatures import STATEMENTS, Kind

from . import registry
from .models import AUTHENTICITY_DECLARATION, EvidenceItem, Witness
from .selectors import candidate_criteria, candidate_units, witnesses_of
from .services import ERR_DECLARATION, ERR_FUTURE_DATE, EvidenceDetails

TOKEN_RE = re.compile(r"^[A-Za-z0-9-]{8,80}$")
ERR_DATE = "Enter the date of the activity as dd/mm/yyyy, for example 21/03/2026."


# A form sent again (Back, then Save) is the same submission: say so instead of making a second one.
ALREADY_SAVED = "{what} was already saved from this form: nothing new was made."


def new_token() -> str:
    return uuid.uuid4().hex


class SubmissionTokenMixin:
    """A hidden idempotency token, new on every blank form (the upload forms below do the same): the form sent
    twice (a double click, or Back and Save again) is recognised by the service as one submission."""

    def _add_token(self):
        self.fields["token"] = forms.CharField(widget=forms.HiddenInput, required=False)
        if not self.is_bound:
            self.initial.setdefault("token", new_token())

    def clean_token(self):
        token = self.cleaned_data.get("token", "")
        return token if TOKEN_RE.match(token or "") else ""


class EvidenceDetailsForm(forms.Form):
    """Title, description, date, type, context and units: what a candidate says about an item."""

    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    activity_date = forms.DateField(
        label="Date of the activity",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": ERR_DATE},
        validators=[NotInFuture(ERR_FUTURE_DATE)],
    )
    kind = forms.ChoiceField(label="Type of evidence", choices=EvidenceItem.Kind.choices)
    context = forms.ChoiceField(
        choices=EvidenceItem.Context.choices, initial=EvidenceItem.Context.REAL_WORK, widget=forms.RadioSelect
    )
    units = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Units this evidence is for (optional)",
    )
    declaration = forms.BooleanField(
        label=AUTHENTICITY_DECLARATION, required=True, error_messages={"required": ERR_DECLARATION}
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, candidate, with_declaration=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate = candidate
        units = candidate_units(candidate)
        self.fields["units"].queryset = units
        self.fields["units"].label_from_instance = lambda unit: f"{unit.ref} {unit.title}"
        if not units.exists():
            del self.fields["units"]
        if not with_declaration:
            del self.fields["declaration"]
        self.setting_reasons = []
        offered = registry.allowed_settings(candidate)
        if offered is not None:
            allowed, self.setting_reasons = offered
            self.fields["context"].choices = [
                (v, label) for v, label in EvidenceItem.Context.choices if v in allowed
            ]
            if self.setting_reasons:
                self.fields["context"].help_text = " ".join(self.setting_reasons)
        if not self.is_bound and "token" in self.fields:
            self.initial.setdefault("token", new_token())

    def clean_token(self):
        token = self.cleaned_data.get("token", "")
        return token if TOKEN_RE.match(token or "") else ""

    def details(self) -> EvidenceDetails:
        data = self.cleaned_data
        return EvidenceDetails(
            title=data.get("title", ""),
            description=data.get("description", ""),
            activity_date=data.get("activity_date"),
            kind=data.get("kind", ""),
            context=data.get("context") or EvidenceItem.Context.REAL_WORK,
            statement_text=data.get("statement_text", ""),
            units=list(data.get("units") or []),
        )


class UploadForm(EvidenceDetailsForm):
    """The shared description of a batch of files; each file's title defaults to its name."""

    title = forms.CharField(max_length=200, required=False, help_text="Leave empty to use each file's name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Work it out from the file")] + list(EvidenceItem.Kind.choices)
        self.fields["kind"].required = False
        self.fields["kind"].initial = ""


class StatementForm(EvidenceDetailsForm):
    statement_text = forms.CharField(
        label="Your statement or reflective account", widget=forms.Textarea(attrs={"rows": 12})
    )

    field_order = ["title", "statement_text", "activity_date", "kind", "context", "units", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = EvidenceItem.Kind.STATEMENT


class EditForm(EvidenceDetailsForm):
    """Editing an item nobody has used yet (no file change: upload a new item for a different file)."""

    statement_text = forms.CharField(
        label="Statement text", widget=forms.Textarea(attrs={"rows": 8}), required=False
    )

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, with_declaration=False, **kwargs)
        del self.fields["token"]
        if item is not None and item.kind != EvidenceItem.Kind.STATEMENT and not item.statement_text:
            del self.fields["statement_text"]

    @classmethod
    def initial_for(cls, item):
        return {
            "title": item.title,
            "description": item.description,
            "activity_date": item.activity_date,
            "kind": item.kind,
            "context": item.context,
            "statement_text": item.statement_text,
            "units": list(item.units.all()),
        }


class CorrectionForm(EvidenceDetailsForm):
    statement_text = forms.CharField(
        label="Statement text", widget=forms.Textarea(attrs={"rows": 8}), required=False
    )

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        if item is not None and item.kind != EvidenceItem.Kind.STATEMENT and not item.statement_text:
            del self.fields["statement_text"]


class WitnessForm(SubmissionTokenMixin, forms.ModelForm):
    class Meta:
        model = Witness
        fields = [
            "name",
            "job_title",
            "relationship",
            "email",
            "contact",
            "suggested_status_category",
            "is_expert",
            "expertise",
        ]
        widgets = {
            "contact": forms.Textarea(attrs={"rows": 3}),
            "suggested_status_category": forms.RadioSelect,
            "expertise": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "name": "Witness name",
            "contact": "Contact address or telephone",
            "email": "Witness's email address",
            "suggested_status_category": "Witness status you suggest (your assessor decides)",
        }
        help_texts = {
            "email": "The link to confirm your testimony is sent here",
            "suggested_status_category": "Optional: leave it unticked if you are not sure",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No "---------" radio button, ticked by default: the five categories, none ticked until one is chosen.
        field = self.fields["suggested_status_category"]
        field.choices = [(value, label) for value, label in field.choices if value not in ("", None)]
        if self.instance.pk is None:  # a new witness: saved once however often the form is sent
            self._add_token()


class WitnessStatusForm(forms.Form):
    """The assessor's decision on a witness's status category."""

    status_category = forms.TypedChoiceField(
        label="Witness status", choices=Witness.StatusCategory.choices, coerce=int, widget=forms.RadioSelect
    )


class WitnessConfirmForm(forms.Form):
    """What a witness (no account) fills in to confirm their testimony."""

    statement_text = forms.CharField(
        label="Your statement",
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text="Correct it, or write it if it is empty: what you saw the candidate do",
    )
    name = forms.CharField(label="Your name", max_length=200, required=False)
    job_title = forms.CharField(label="Your job title", max_length=200, required=False)
    declaration = forms.BooleanField(label=STATEMENTS[Kind.WITNESS], required=False)
    reason = forms.CharField(
        label="If you decline: why (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, kind=Kind.WITNESS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["declaration"].label = STATEMENTS[kind]


class WitnessTestimonyForm(EvidenceDetailsForm):
    witness = forms.ModelChoiceField(queryset=None, empty_label="Choose a witness")
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty for “Witness testimony from <name>”"
    )
    statement_text = forms.CharField(
        label="The witness's statement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Type it here, upload the signed statement below, or both",
    )
    criteria = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Assessment criteria the witness attests",
    )
    ask_witness = forms.BooleanField(
        label="Email the witness a link to confirm this testimony (they can correct it, or write it if you leave "
        "the statement empty)",
        required=False,
        initial=True,
    )

    field_order = [
        "witness",
        "title",
        "activity_date",
        "context",
        "statement_text",
        "units",
        "criteria",
        "description",
        "ask_witness",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["witness"].queryset = witnesses_of(self.candidate)
        criteria = candidate_criteria(self.candidate)
        self.fields["criteria"].queryset = criteria
        self.fields["criteria"].label_from_instance = lambda c: f"{c.unit.ref} {c.ref} {c.text[:120]}"
        del self.fields["kind"]
        if "units" not in self.fields:
            del self.fields["criteria"]

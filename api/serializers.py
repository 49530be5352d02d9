from django import forms
from rest_framework import serializers

from accounts.models import User
from accounts.people.forms import PersonForm
from accounts.people.selectors import IMPORT_ROLES
from assessment.models import Registration
from verification.models import CertificationClaim


class PersonSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "name", "email", "is_active", "roles"]

    def get_roles(self, obj) -> list[str]:
        centre_id = self.context["centre"].pk
        return sorted(m.role for m in obj.memberships.all() if m.centre_id == centre_id)

    def get_name(self, obj) -> str:
        return obj.get_full_name() or obj.username


# The roles the API gives: the MIS import's (accounts.people.selectors.IMPORT_ROLES). A centre admin is made on
# the People screen by another centre admin, never by a token.
API_ROLES = [r.value for r in IMPORT_ROLES]
ROLE_REFUSED = (
    '"{input}" is not a role an API token gives: use '
    + ", ".join(API_ROLES)
    + " (a centre admin is made on the People screen)."
)


def _field_from_form(field: forms.Field) -> serializers.Field:
    """The JSON shape of one field of the people form; the form itself (and the service) still decide."""
    common = {"required": field.required, "help_text": str(field.help_text) or None}
    if isinstance(field, forms.MultipleChoiceField):
        choice = serializers.ChoiceField(choices=API_ROLES, error_messages={"invalid_choice": ROLE_REFUSED})
        return serializers.ListField(child=choice, allow_empty=False, max_length=len(API_ROLES), **common)
    kind = serializers.EmailField if isinstance(field, forms.EmailField) else serializers.CharField
    return kind(max_length=field.max_length, allow_blank=not field.required, **common)


class PersonCreateSerializer(serializers.Serializer):
    """POST /people/: the fields of the centre admin's people form (accounts.people.forms.PersonForm), typed
    for JSON. Only their types are checked here: PersonForm and accounts.people.services.person_create
    validate exactly as the screen does."""

    def get_fields(self):
        return {name: _field_from_form(field) for name, field in PersonForm.base_fields.items()}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(PersonForm.base_fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        "non_field_errors": [
                            f"Unknown field(s): {', '.join(unknown)[:200]}. A person has only: "
                            f"{', '.join(PersonForm.base_fields)}."
                        ]
                    }
                )
        return super().to_internal_value(data)


class RegistrationSerializer(serializers.ModelSerializer):
    candidate = serializers.CharField(source="candidate.username")
    qualification = serializers.CharField(source="qualification.code")
    assessor = serializers.CharField(source="assessor.username")
    internal_verifier = serializers.CharField(source="internal_verifier.username")
    optional_units = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "candidate",
            "candidate_number",
            "qualification",
            "assessor",
            "internal_verifier",
            "registered_on",
            "expires_on",
            "status",
            "optional_units",
        ]

    def get_optional_units(self, obj) -> list[str]:
        return sorted(u.number for u in obj.optional_units.all())


class RegistrationCreateSerializer(serializers.Serializer):
    candidate = serializers.CharField(help_text="Username of a candidate of the token's centre")
    qualification = serializers.CharField(help_text="Qualification code, e.g. 4430-04")
    assessor = serializers.CharField(help_text="Username of an assessor of the token's centre")
    internal_verifier = serializers.CharField(
        help_text="Username of an internal verifier of the token's centre"
    )
    registered_on = serializers.DateField()
    candidate_number = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
    optional_units = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Unit numbers of the optional units chosen",
    )
    entry_conditions_confirmed = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Keys of the qualification's entry conditions that the centre confirms the candidate meets "
        "(e.g. 4430-04: age_18, not_already_held); a qualification with entry conditions is refused "
        "until every one is confirmed, as on the register form",
    )


class UnitProgressSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.ref")
    number = serializers.CharField(source="unit.number")
    title = serializers.CharField(source="unit.title")
    status = serializers.CharField(source="status_label")
    criteria_total = serializers.IntegerField()
    criteria_met = serializers.IntegerField()
    missing = serializers.ListField(child=serializers.CharField())


class ClaimSerializer(serializers.ModelSerializer):
    registration = serializers.IntegerField(source="registration_id")
    candidate = serializers.CharField(source="registration.candidate.username")
    candidate_number = serializers.CharField(source="registration.candidate_number")
    qualification = serializers.CharField(source="registration.qualification.code")

    class Meta:
        model = CertificationClaim
        fields = [
            "id",
            "registration",
            "candidate",
            "candidate_number",
            "qualification",
            "kind",
            "units",
            "credits",
            "claimed_at",
        ]

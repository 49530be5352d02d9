from rest_framework import serializers

from accounts.models import User
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


class RegistrationSerializer(serializers.ModelSerializer):
    candidate = serializers.CharField(source="candidate.username")
    qualification = serializers.CharField(source="qualification.code")
    assessor = serializers.CharField(source="assessor.username")
    internal_verifier = serializers.CharField(source="internal_verifier.username")
    optional_units = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = ["id", "candidate", "candidate_number", "qualification", "assessor", "internal_verifier",
                  "registered_on", "expires_on", "status", "optional_units"]

    def get_optional_units(self, obj) -> list[str]:
        return sorted(u.number for u in obj.optional_units.all())


class RegistrationCreateSerializer(serializers.Serializer):
    candidate = serializers.CharField(help_text="Username of a candidate of the token's centre")
    qualification = serializers.CharField(help_text="Qualification code, e.g. 4430-04")
    assessor = serializers.CharField(help_text="Username of an assessor of the token's centre")
    internal_verifier = serializers.CharField(help_text="Username of an internal verifier of the token's centre")
    registered_on = serializers.DateField()
    candidate_number = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
    optional_units = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                           help_text="Unit numbers of the optional units chosen")


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
        fields = ["id", "registration", "candidate", "candidate_number", "qualification", "kind", "units",
                  "credits", "claimed_at"]

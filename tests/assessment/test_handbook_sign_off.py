"""The handbooks' own examples taken through mapping and sign-off on the real catalogue fixtures (issue 19), and
forged POSTs refused with the handbook's reason, nothing saved."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role
from assessment import services
from assessment.models import (
    AwardingBodyExtension,
    EvidenceMapping,
    Registration,
    RegistrationExtension,
    RequirementConfirmation,
    UnitAssessment,
)
from assessment.selectors import unit_facts, unit_matrix
from audit.actions import Action
from audit.models import AuditEntry
from evidence.models import EvidenceItem
from qualifications.models import AssessmentCriterion, EvidenceRequirement, Qualification, RangeItem, Unit

from ..conftest import PASSWORD
from .factories import make_evidence, make_registration

pytestmark = pytest.mark.django_db
FIXTURES = settings.BASE_DIR / "fixtures"


def load(*names):
    for name in names:
        call_command("loaddata", str(FIXTURES / name), verbosity=0)


@pytest.fixture
def people(centre, make_user):
    return {
        "candidate": make_user("cand", centre, Role.CANDIDATE, first_name="Cara"),
        "assessor": make_user("ass", centre, Role.ASSESSOR),
        "witness_assessor": make_user("ass2", centre, Role.ASSESSOR),
        "iv": make_user("iv1", centre, Role.INTERNAL_VERIFIER),
        "admin": make_user("adm", centre, Role.CENTRE_ADMIN),
        "centre": centre,
    }


def register(people, code, *optional):
    qualification = Qualification.objects.get(code=code)
    units = [Unit.objects.get(ref=ref) for ref in optional]
    return make_registration(
        centre=people["centre"],
        candidate=people["candidate"],
        assessor=people["assessor"],
        internal_verifier=people["iv"],
        qualification=qualification,
        optional_units=units,
    )


def map_all_criteria(registration, unit, people, **kwargs):
    item = make_evidence(registration=registration, title=f"Portfolio for {unit.number}")
    services.mapping_add(
        registration=registration,
        evidence=item,
        actor=people["assessor"],
        criteria=list(unit.criteria.all()),
        method="product_evidence",
        decision="accepted",
        location="whole file",
        **kwargs,
    )
    return item


def map_requirements(registration, people, unit, refs, title="Complaint file"):
    item = make_evidence(registration=registration, title=title)
    services.mapping_add(
        registration=registration,
        evidence=item,
        actor=people["assessor"],
        requirements=[EvidenceRequirement.objects.get(unit=unit, ref=r) for r in refs],
        method="product_evidence",
        location="pages 1-4",
        decision="accepted",
    )
    return item


def candidate_signs(registration, unit, people):
    ua = UnitAssessment.objects.get(registration=registration, unit=unit)
    services.authenticity_sign(unit_assessment=ua, actor=people["candidate"])
    ua.refresh_from_db()
    return ua


# --- 4430-04 unit 410: the lettered sub-items 5a/b and 6a-c ---------------------------------------------
def test_410_sign_off_names_each_unmet_sub_item_then_signs_with_evidence_and_noted_confirmations(people):
    load("4430-04.json")
    registration = register(people, "4430-04", "4430-410")
    unit = Unit.objects.get(ref="4430-410")
    map_all_criteria(registration, unit, people)
    map_requirements(registration, people, unit, ["4a", "4b", "5a", "6a"])
    ua = candidate_signs(registration, unit, people)
    with pytest.raises(ValidationError) as refused:
        services.unit_sign_off(unit_assessment=ua, actor=people["assessor"], password=PASSWORD)
    message = refused.value.messages[0]
    for ref in ("5b", "6b", "6c", "3"):
        assert f"Evidence requirement {ref} is not evidenced or confirmed" in message
    for ref in ("4a", "5a", "6a"):  # evidenced
        assert f"requirement {ref} " not in message
    assert "requirement 1 " not in message and "requirement 2 " not in message  # the setting, the "You may"
    assert not UnitAssessment.objects.get(pk=ua.pk).is_locked

    map_requirements(registration, people, unit, ["5b", "6b", "6c"], title="Second complaint file")
    ua.refresh_from_db()
    with pytest.raises(ValidationError, match="requirement 3 is confirmed without a note"):
        services.unit_sign_off(
            unit_assessment=ua, actor=people["assessor"], password=PASSWORD, confirmed_requirements=["3"]
        )
    signed = services.unit_sign_off(
        unit_assessment=ua,
        actor=people["assessor"],
        password=PASSWORD,
        confirmed_requirements={"3": "Complaints handled March to September 2026 (log, pages 1-12)."},
    )
    assert signed.status == UnitAssessment.Status.SIGNED
    confirmation = RequirementConfirmation.objects.get(unit_assessment=ua)
    assert confirmation.requirement.ref == "3" and confirmation.round == 1 and "March" in confirmation.note
    entry = AuditEntry.objects.filter(action=Action.UNIT_SIGNED_OFF).latest("id")
    assert entry.details["confirmed_requirements"] == {"3": confirmation.note}
    # The signed unit's page shows each requirement met: evidenced, or confirmed with the note.
    rows = {r.status.requirement.ref: r for r in unit_matrix(registration, unit).requirement_rows}
    assert rows["5b"].status.evidenced and rows["3"].confirmation.note == confirmation.note


def test_forged_sign_off_post_with_an_unmet_requirement_is_refused_nothing_saved(client, people):
    load("4430-04.json")
    registration = register(people, "4430-04", "4430-410")
    unit = Unit.objects.get(ref="4430-410")
    map_all_criteria(registration, unit, people)
    ua = candidate_signs(registration, unit, people)
    client.force_login(people["assessor"])
    url = reverse("assessment:unit_sign", args=[registration.pk, unit.pk])
    response = client.post(url, {"password": PASSWORD, "version": ua.version, "confirmed": ["5a", "5b"]})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Evidence requirement 5a is confirmed without a note" in page
    assert "Evidence requirement 6b is not evidenced or confirmed" in page
    assert not UnitAssessment.objects.get(pk=ua.pk).is_locked
    assert not RequirementConfirmation.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.UNIT_SIGNED_OFF).exists()


def test_the_unit_page_lists_the_requirements_and_the_mapping_form_offers_the_sub_items(client, people):
    load("4430-04.json")
    registration = register(people, "4430-04", "4430-410")
    unit = Unit.objects.get(ref="4430-410")
    item = make_evidence(registration=registration, title="Complaint file")
    client.force_login(people["assessor"])
    page = client.get(reverse("assessment:unit_matrix", args=[registration.pk, unit.pk])).content.decode()
    assert 'data-requirement="5b"' in page and "not prepared to accept your proposed solutions." in page
    assert "map evidence, or confirm at sign-off with a note" in page
    form = client.get(reverse("assessment:evidence_map", args=[registration.pk, item.pk])).content.decode()
    sub_item = EvidenceRequirement.objects.get(unit=unit, ref="5b")
    assert f'name="requirements" value="{sub_item.pk}"' in form
    parent = EvidenceRequirement.objects.get(unit=unit, ref="5")
    guidance = EvidenceRequirement.objects.get(unit=unit, ref="2")
    assert f'value="{parent.pk}" id="req-' not in form and f'value="{guidance.pk}" id="req-' not in form
    response = client.post(
        reverse("assessment:evidence_map", args=[registration.pk, item.pk]),
        {
            "requirements": [sub_item.pk],
            "method": "product_evidence",
            "setting": "real_work",
            "location": "p. 3",
            "decision": "accepted",
            "evidence_revision": item.revision,
        },
    )
    assert response.status_code == 302
    mapping = EvidenceMapping.objects.get(requirement=sub_item)
    assert mapping.setting == "real_work" and mapping.location == "p. 3"
    with pytest.raises(ValidationError, match="has lettered sub-items"):
        services.mapping_add(
            registration=registration,
            evidence=item,
            actor=people["assessor"],
            requirements=[parent],
            method="product_evidence",
            decision="accepted",
        )


# --- 4430-02 unit 214: four of the twelve sources of diversity --------------------------------------------
def test_214_signs_with_four_of_the_twelve_sources_of_diversity(people):
    load("4430-04.json", "4430-02.json")
    registration = register(people, "4430-02", "4430-214")
    unit = Unit.objects.get(ref="4430-214")
    assert RangeItem.objects.get(unit=unit, ref="2").min_count == 4
    map_all_criteria(registration, unit, people)
    item = make_evidence(registration=registration, title="Diversity log")
    leaves = ["1a", "1b", "1c", "3a", "3b", "2a", "2b", "2c"]
    services.mapping_add(
        registration=registration,
        evidence=item,
        actor=people["assessor"],
        range_items=[RangeItem.objects.get(unit=unit, ref=r) for r in leaves],
        method="observation",
        decision="accepted",
    )
    ua = candidate_signs(registration, unit, people)
    confirm = {
        s.requirement.ref: "Seen over six months on the shop floor."
        for s in unit_matrix(registration, unit).coverage.to_confirm
    }
    with pytest.raises(ValidationError) as refused:
        services.unit_sign_off(
            unit_assessment=ua, actor=people["assessor"], password=PASSWORD, confirmed_requirements=confirm
        )
    assert (
        "Range 2 asks for 4 of 2a–2l" in refused.value.messages[0]
        and "3 covered so far" in refused.value.messages[0]
    )
    assert "2d" not in refused.value.messages[0]  # the other nine are not demanded one by one
    services.mapping_add(
        registration=registration,
        evidence=item,
        actor=people["assessor"],
        range_items=[RangeItem.objects.get(unit=unit, ref="2j")],
        method="observation",
        decision="accepted",
    )
    ua.refresh_from_db()
    signed = services.unit_sign_off(
        unit_assessment=ua, actor=people["assessor"], password=PASSWORD, confirmed_requirements=confirm
    )
    assert signed.status == UnitAssessment.Status.SIGNED


# --- 4430-04 unit 405: staged emergency drills --------------------------------------------------------
def test_405_staged_drill_is_accepted_other_simulation_refused_in_the_handbooks_words(people):
    load("4430-04.json")
    registration = register(people, "4430-04", "4430-405", "4430-410")
    drill_criterion = AssessmentCriterion.objects.get(unit__ref="4430-405", ref="2.7")
    drill = make_evidence(
        registration=registration, title="Fire evacuation drill", context=EvidenceItem.Context.STAGED_DRILL
    )
    services.mapping_add(
        registration=registration,
        evidence=drill,
        actor=people["assessor"],
        criteria=[drill_criterion],
        method="observation",
        decision="accepted",
    )
    role_play = make_evidence(
        registration=registration, title="Role play", context=EvidenceItem.Context.SIMULATION
    )
    with pytest.raises(ValidationError) as refused:
        services.mapping_add(
            registration=registration,
            evidence=role_play,
            actor=people["assessor"],
            criteria=[drill_criterion],
            method="observation",
            decision="accepted",
        )
    assert "does not accept simulation for performance evidence" in refused.value.messages[0]
    assert (
        "except when realistic practices are staged to test emergency procedures" in refused.value.messages[0]
    )
    assert "4430-04 handbook, unit 405, evidence requirement 1" in refused.value.messages[0]
    # Unit 410 has no drills exception: the same drill is simulation there.
    with pytest.raises(ValidationError, match="unit 4430-410 does not accept simulation"):
        services.mapping_add(
            registration=registration,
            evidence=drill,
            actor=people["assessor"],
            criteria=[AssessmentCriterion.objects.get(unit__ref="4430-410", ref="1.1")],
            method="observation",
            decision="accepted",
        )
    assert EvidenceMapping.objects.filter(registration=registration).count() == 1


# --- knowledge evidence from simulation in a unit that bars it for performance -------------------------------
def test_knowledge_criterion_of_410_met_by_simulation_performance_refused(people):
    load("4430-04.json")
    registration = register(people, "4430-04", "4430-410")
    unit = Unit.objects.get(ref="4430-410")
    quiz = make_evidence(
        registration=registration, title="Complaints quiz", context=EvidenceItem.Context.SIMULATION
    )
    knowledge = list(unit.criteria.filter(kind="knowledge"))
    services.mapping_add(
        registration=registration,
        evidence=quiz,
        actor=people["assessor"],
        criteria=knowledge,
        method="questioning",
        decision="accepted",
    )
    performance = unit.criteria.filter(kind="performance").first()
    with pytest.raises(ValidationError, match="does not accept simulation for performance evidence"):
        services.mapping_add(
            registration=registration,
            evidence=quiz,
            actor=people["assessor"],
            criteria=[performance],
            method="questioning",
            decision="accepted",
        )
    # Unit 401 bars simulation for any evidence, knowledge too.
    with pytest.raises(ValidationError, match="does not accept simulation for any evidence"):
        services.mapping_add(
            registration=registration,
            evidence=quiz,
            actor=people["assessor"],
            criteria=[AssessmentCriterion.objects.filter(unit__ref="4430-401", kind="knowledge").first()],
            method="questioning",
            decision="accepted",
        )
    # Through to sign-off: the knowledge criteria stay met by the simulated quiz.
    map_all_criteria(registration, unit, people)
    matrix = unit_matrix(registration, unit)
    assert not matrix.coverage.context_problems
    assert EvidenceMapping.objects.filter(evidence=quiz).count() == len(knowledge)


def test_forged_mapping_post_of_simulation_where_forbidden_is_refused_with_the_reason(client, people):
    load("4430-04.json")
    registration = register(people, "4430-04", "4430-410")
    role_play = make_evidence(registration=registration, title="Role play")
    criterion = AssessmentCriterion.objects.get(unit__ref="4430-410", ref="1.1")
    client.force_login(people["assessor"])
    response = client.post(
        reverse("assessment:evidence_map", args=[registration.pk, role_play.pk]),
        {
            "criteria": [criterion.pk],
            "method": "observation",
            "setting": "simulation",
            "decision": "accepted",
            "evidence_revision": role_play.revision,
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "“Role play” was gathered in simulation; unit 4430-410 does not accept simulation for performance "
        "evidence." in page
    )
    assert "Simulation is not allowed for any performance evidence within this Unit." in page
    assert not EvidenceMapping.objects.exists()
    # The assessor's confirmed setting counts, whatever the candidate declared.
    assert EvidenceItem.objects.get(pk=role_play.pk).context == "real_work"


def test_4430_04_real_job_rule_reaches_its_shared_units_but_not_4430_02(people):
    load("4430-04.json", "4430-02.json")
    unit = Unit.objects.get(ref="4430-303")
    in_04 = unit_facts(unit, Qualification.objects.get(code="4430-04"))
    in_02 = unit_facts(unit, Qualification.objects.get(code="4430-02"))
    assert in_04.rwe_allowed is False and in_04.simulation_allowed is False
    assert in_04.knowledge_simulation_allowed is False
    assert "Simulation and Realistic Working Environment is not accepted at this level" in in_04.context_note
    assert in_02.rwe_allowed is None and in_02.simulation_allowed is None


# --- 4411 unit 106: two calls observed by the assessor or a witness -----------------------------------------
def test_4411_106_two_observed_calls_one_by_a_witness_sign_off(people):
    load("4411.json")
    registration = register(people, "4411-01", "4411-106", "4411-101")
    unit = Unit.objects.get(ref="4411-106")
    greet = AssessmentCriterion.objects.get(unit=unit, ref="1.2")
    map_all_criteria(registration, unit, people)
    observed = make_evidence(registration=registration, title="Observation of calls")
    services.mapping_add(
        registration=registration,
        evidence=observed,
        actor=people["assessor"],
        criteria=[greet],
        method="observation",
        decision="accepted",
    )
    ua = candidate_signs(registration, unit, people)
    notes = {
        s.requirement.ref: "Telephone log, four greetings (3-4 May)."
        for s in unit_matrix(registration, unit).coverage.to_confirm
    }
    with pytest.raises(
        ValidationError,
        match=r"1b: at least 2 pieces of evidence by observation or witness "
        r"testimony for 1.2 \(so far 1\)",
    ):
        services.unit_sign_off(
            unit_assessment=ua, actor=people["assessor"], password=PASSWORD, confirmed_requirements=notes
        )
    testimony = make_evidence(
        registration=registration, title="Witness testimony from the team leader", kind="witness_testimony"
    )
    services.mapping_add(
        registration=registration,
        evidence=testimony,
        actor=people["assessor"],
        criteria=[greet],
        method="witness_testimony",
        decision="accepted",
    )
    ua.refresh_from_db()
    assert (
        services.unit_sign_off(
            unit_assessment=ua, actor=people["assessor"], password=PASSWORD, confirmed_requirements=notes
        ).status
        == UnitAssessment.Status.SIGNED
    )


# --- records: the setting the assessor chose ---------------------------------------------------------------
def test_an_observation_in_a_realistic_working_environment_is_recorded_as_such(people):
    load("4430-04.json", "4430-02.json")
    registration = register(people, "4430-02", "4430-214")
    criterion = AssessmentCriterion.objects.filter(unit__ref="4430-214").first()
    record = services.record_create(
        registration=registration,
        actor=people["assessor"],
        kind="observation",
        date=dt.date(2026, 3, 2),
        description="Served customers at the training shop",
        criteria=[criterion],
        setting="rwe",
    )
    assert record.setting == "rwe" and record.evidence_item.context == "rwe"
    assert EvidenceMapping.objects.get(evidence=record.evidence_item).setting == "rwe"
    level4 = register(people, "4430-04", "4430-410")
    with pytest.raises(ValidationError, match="accepts evidence from real work only"):
        services.record_create(
            registration=level4,
            actor=people["assessor"],
            kind="observation",
            date=dt.date(2026, 3, 2),
            description="Training room",
            criteria=[AssessmentCriterion.objects.get(unit__ref="4430-410", ref="1.1")],
            setting="rwe",
        )
    assert not level4.records.exists()


# --- the upload form offers only what the candidate's units allow ------------------------------------------
def test_level_4_candidates_are_not_offered_simulation_and_are_told_why(client, people):
    load("4430-04.json")
    register(people, "4430-04", "4430-405")
    client.force_login(people["candidate"])
    page = client.get(reverse("evidence:upload")).content.decode()
    assert 'value="real_work"' in page and 'value="simulation"' not in page and 'value="rwe"' not in page
    assert 'value="staged_drill"' in page
    assert "accepts evidence from real work only" in page
    assert "Simulation is not offered" in page


# --- dates: registration end, last registration and certification dates -----------------------------------
def test_mapping_and_sign_off_after_the_registration_end_are_refused_until_extended(people):
    load("4411.json")
    registration = register(people, "4411-01", "4411-101", "4411-103", "4411-104")
    Registration.objects.filter(pk=registration.pk).update(expires_on=dt.date(2026, 1, 4))
    item = make_evidence(registration=registration)
    criterion = AssessmentCriterion.objects.get(unit__ref="4411-101", ref="1.1")
    with pytest.raises(ValidationError) as refused:
        services.mapping_add(
            registration=registration,
            evidence=item,
            actor=people["assessor"],
            criteria=[criterion],
            method="product_evidence",
            decision="accepted",
        )
    assert (
        "The registration ended on 04/01/2026 (4411-01 registration is valid for 36 months)"
        in refused.value.messages[0]
    )
    assert not EvidenceMapping.objects.exists()
    with pytest.raises(ValidationError, match="Write the reason"):
        services.registration_extend(
            registration=registration, actor=people["admin"], new_expires_on=dt.date(2027, 6, 30), reason=" "
        )
    with pytest.raises(ValidationError, match="Only a centre admin"):
        services.registration_extend(
            registration=registration,
            actor=people["assessor"],
            new_expires_on=dt.date(2027, 6, 30),
            reason="Illness",
        )
    services.registration_extend(
        registration=registration,
        actor=people["admin"],
        new_expires_on=dt.date(2027, 6, 30),
        reason="Long illness: awarding body agreed.",
    )
    assert RegistrationExtension.objects.get().previous_expires_on == dt.date(2026, 1, 4)
    assert AuditEntry.objects.filter(action=Action.REGISTRATION_EXTENDED).exists()
    services.mapping_add(
        registration=registration,
        evidence=item,
        actor=people["assessor"],
        criteria=[criterion],
        method="product_evidence",
        decision="accepted",
    )


def test_registration_after_the_last_registration_date_is_refused_unless_extended(client, people):
    load("4430-04.json")
    qualification = Qualification.objects.get(code="4430-04")
    client.force_login(people["admin"])
    data = {
        "qualification": "4430-04",
        "centre": people["centre"].pk,
        "candidate": people["candidate"].username,
        "assessor": people["assessor"].pk,
        "internal_verifier": people["iv"].pk,
        "registered_on": "2026-02-10",
        "optional_units": [Unit.objects.get(ref=f"4430-{n}").pk for n in ("403", "405", "407", "410", "413")],
        **CONFIRMED,
    }
    response = client.post(reverse("assessment:registration_new") + "?qualification=4430-04", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "its last registration date is 31/07/2014" in page
    assert "4430-04 handbook, 1 Introduction to the qualification" in page
    assert not Registration.objects.exists()
    with pytest.raises(ValidationError, match="reference"):
        services.awarding_body_extension_record(
            centre=people["centre"],
            qualification=qualification,
            actor=people["admin"],
            kind="registration",
            reference="",
            new_date=dt.date(2027, 7, 31),
        )
    services.awarding_body_extension_record(
        centre=people["centre"],
        qualification=qualification,
        actor=people["admin"],
        kind="registration",
        reference="CG-EXT-123",
        new_date=dt.date(2027, 7, 31),
    )
    assert AuditEntry.objects.filter(action=Action.AWARDING_BODY_EXTENSION_RECORDED).exists()
    response = client.post(reverse("assessment:registration_new") + "?qualification=4430-04", data)
    assert response.status_code == 302
    assert AwardingBodyExtension.objects.get().reference == "CG-EXT-123"


# The register form's boxes for 4430-04's entry conditions (assessment.forms.EntryConditionsForm).
CONFIRMED = {"entry-condition_age_18": "on", "entry-condition_not_already_held": "on"}
AGE = (
    "This qualification is not approved for use by candidates under the age of 18 and City & Guilds cannot "
    "accept any registrations for candidates in this age group."
)
HELD = (
    "Candidates should not be entered for a qualification of the same type, content and level as that of a "
    "qualification they already hold."
)


def test_registration_asks_4430_04s_entry_conditions_and_records_the_confirmation(client, people):
    load("4430-04.json")
    qualification = Qualification.objects.get(code="4430-04")
    assert [c["key"] for c in qualification.entry_conditions] == ["age_18", "not_already_held"]
    services.awarding_body_extension_record(
        centre=people["centre"],
        qualification=qualification,
        actor=people["admin"],
        kind="registration",
        reference="CG-EXT-1",
        new_date=dt.date(2027, 7, 31),
    )
    client.force_login(people["admin"])
    url = reverse("assessment:registration_new") + "?qualification=4430-04"
    form = client.get(url).content.decode()
    conditions = form[form.index('id="entry-conditions"') :]
    assert escape(AGE) in conditions and escape(HELD) in conditions
    assert "4430-04 handbook, 2.2 Candidate entry requirements, Age restrictions" in conditions
    assert "page number not in the source text" in conditions
    data = {
        "qualification": "4430-04",
        "centre": people["centre"].pk,
        "candidate": people["candidate"].username,
        "assessor": people["assessor"].pk,
        "internal_verifier": people["iv"].pk,
        "registered_on": "2026-02-10",
        "optional_units": [Unit.objects.get(ref=f"4430-{n}").pk for n in ("403", "405", "407", "410", "413")],
    }
    refused = client.post(url, data).content.decode()
    assert "registered only once you confirm each entry condition" in refused
    assert escape(AGE) in refused[: refused.index('id="entry-conditions"')]
    assert not Registration.objects.exists()
    # a forged POST confirming one condition only: refused naming the other, nothing saved
    refused = client.post(url, {**data, "entry-condition_age_18": "on"}).content.decode()
    alert = refused[refused.index('id="registration-refused"') : refused.index('id="entry-conditions"')]
    assert escape(HELD) in alert and escape(AGE) not in alert
    assert 'name="entry-condition_age_18" id="id_entry-condition_age_18" checked' in refused  # kept as ticked
    assert not Registration.objects.exists()
    assert client.post(url, {**data, **CONFIRMED}).status_code == 302
    registration = Registration.objects.get()
    assert [c["key"] for c in registration.entry_conditions_confirmed] == ["age_18", "not_already_held"]
    assert registration.entry_conditions_confirmed[0]["text"] == AGE
    assert registration.entry_conditions_confirmed_by == people["admin"]
    assert registration.entry_conditions_confirmed_at is not None
    audit = AuditEntry.objects.get(action="registration_created")
    assert [c["key"] for c in audit.details["entry_conditions_confirmed"]] == ["age_18", "not_already_held"]
    detail = client.get(reverse("assessment:registration_detail", args=[registration.pk])).content.decode()
    assert "Entry conditions confirmed by" in detail and escape(HELD) in detail


def test_a_qualification_without_entry_conditions_asks_none(client, people):
    load("4411.json")
    client.force_login(people["admin"])
    form = client.get(reverse("assessment:registration_new") + "?qualification=4411-01").content.decode()
    assert 'id="entry-conditions"' not in form
    registration = services.registration_create(
        actor=people["admin"],
        centre=people["centre"],
        candidate=people["candidate"],
        qualification=Qualification.objects.get(code="4411-01"),
        assessor=people["assessor"],
        internal_verifier=people["iv"],
        registered_on=dt.date(2026, 2, 10),
        optional_units=list(Unit.objects.filter(ref__in=["4411-101", "4411-103", "4411-104"])),
    )
    assert registration.entry_conditions_confirmed is None


def test_the_structure_page_states_the_entry_conditions(client, people):
    load("4430-04.json")
    client.force_login(people["admin"])
    page = client.get(reverse("qualifications:detail", args=["4430-04"])).content.decode()
    assert escape(AGE) in page and escape(HELD) in page


def test_a_claim_after_the_last_certification_date_is_refused_naming_it(people):
    from verification.services import claim_submit

    load("4430-04.json")
    registration = register(people, "4430-04", "4430-410")
    with pytest.raises(ValidationError) as refused:
        claim_submit(registration=registration, actor=people["admin"], kind="units")
    assert "its last certification date is 31/07/2017 (4430-04 handbook" in refused.value.messages[0]


def test_duplicate_active_registration_is_refused_and_incomplete_choice_warned(client, people):
    load("4430-04.json")
    qualification = Qualification.objects.get(code="4430-04")
    services.awarding_body_extension_record(
        centre=people["centre"],
        qualification=qualification,
        actor=people["admin"],
        kind="registration",
        reference="CG-EXT-1",
        new_date=dt.date(2027, 7, 31),
    )
    client.force_login(people["admin"])
    data = {
        "qualification": "4430-04",
        "centre": people["centre"].pk,
        "candidate": people["candidate"].username,
        "assessor": people["assessor"].pk,
        "internal_verifier": people["iv"].pk,
        "registered_on": "2026-02-10",
        "optional_units": [Unit.objects.get(ref=f"4430-{n}").pk for n in ("303", "307")],
        **CONFIRMED,
    }
    response = client.post(
        reverse("assessment:registration_new") + "?qualification=4430-04", data, follow=True
    )
    page = response.content.decode()
    assert "units still to be chosen" in page.lower()
    assert "needs at least 67 credits" in page
    registration = Registration.objects.get()
    detail = client.get(reverse("assessment:registration_detail", args=[registration.pk])).content.decode()
    assert "Units still to be chosen" in detail and "not assessable yet" in detail
    again = client.post(reverse("assessment:registration_new") + "?qualification=4430-04", data)
    assert "already has an active registration on 4430-04" in again.content.decode()
    assert Registration.objects.count() == 1


def test_requirements_met_by_names_the_requirements_each_mapping_counts_for(people):
    """The selector the printed forms' requirement columns read (issue 12)."""
    from assessment.selectors import requirements_met_by

    load("4411.json", "4430-04.json")
    registration = register(people, "4411-01", "4411-106", "4411-101")
    greet = AssessmentCriterion.objects.get(unit__ref="4411-106", ref="1.2")
    testimony = make_evidence(registration=registration, title="Witness testimony")
    [by_witness] = services.mapping_add(
        registration=registration,
        evidence=testimony,
        actor=people["assessor"],
        criteria=[greet],
        method="witness_testimony",
        decision="accepted",
    )
    [product] = services.mapping_add(
        registration=registration,
        evidence=make_evidence(registration=registration),
        actor=people["assessor"],
        criteria=[greet],
        method="product_evidence",
        decision="accepted",
    )
    level4 = register(people, "4430-04", "4430-410")
    [direct] = map_requirements(level4, people, Unit.objects.get(ref="4430-410"), ["5b"]).mappings.all()
    met = requirements_met_by(
        EvidenceMapping.objects.select_related("criterion").filter(
            pk__in=[by_witness.pk, product.pk, direct.pk]
        )
    )
    assert met == {by_witness.pk: ["1b"], product.pk: [], direct.pk: ["5b"]}


def test_a_registration_date_in_the_future_is_refused_on_the_form_and_by_the_service(client, people):
    """The MIS import refused a future registration date but the register form took one: the service refuses it
    for every path (form, import, API, passport import)."""
    load("4430-04.json")
    qualification = Qualification.objects.get(code="4430-04")
    services.awarding_body_extension_record(
        centre=people["centre"],
        qualification=qualification,
        actor=people["admin"],
        kind="registration",
        reference="CG-EXT-124",
        new_date=timezone.localdate() + dt.timedelta(days=400),
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    client.force_login(people["admin"])
    data = {
        "qualification": "4430-04",
        "centre": people["centre"].pk,
        "candidate": people["candidate"].username,
        "assessor": people["assessor"].pk,
        "internal_verifier": people["iv"].pk,
        "registered_on": tomorrow.isoformat(),
        "optional_units": [Unit.objects.get(ref=f"4430-{n}").pk for n in ("403", "405", "407", "410", "413")],
        **CONFIRMED,
    }
    response = client.post(reverse("assessment:registration_new") + "?qualification=4430-04", data)
    assert response.status_code == 200
    assert "a registration date is today or earlier" in response.content.decode()
    assert not Registration.objects.exists()
    with pytest.raises(ValidationError, match="today or earlier"):
        services.registration_create(
            actor=people["admin"],
            centre=people["centre"],
            candidate=people["candidate"],
            qualification=qualification,
            assessor=people["assessor"],
            internal_verifier=people["iv"],
            registered_on=tomorrow,
            optional_units=Unit.objects.filter(
                ref__in=[f"4430-{n}" for n in ("403", "405", "407", "410", "413")]
            ),
            entry_conditions_confirmed=["age_18", "not_already_held"],
        )
    data["registered_on"] = timezone.localdate().isoformat()
    response = client.post(reverse("assessment:registration_new") + "?qualification=4430-04", data)
    assert response.status_code == 302 and Registration.objects.get().registered_on == timezone.localdate()


def test_an_unknown_entry_condition_key_is_refused_by_the_service_in_the_same_words_as_the_import(people):
    load("4430-04.json")
    qualification = Qualification.objects.get(code="4430-04")
    with pytest.raises(ValidationError) as refused:
        services.registration_create(
            actor=people["admin"],
            centre=people["centre"],
            candidate=people["candidate"],
            qualification=qualification,
            assessor=people["assessor"],
            internal_verifier=people["iv"],
            registered_on=timezone.localdate(),
            entry_conditions_confirmed=["age_18", "over_21"],
        )
    assert refused.value.messages == [
        "'over_21' is not an entry condition of 4430-04 (its entry conditions: age_18, not_already_held)."
    ]
    assert not Registration.objects.exists()

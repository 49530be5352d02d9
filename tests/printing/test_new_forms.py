"""The forms added from the seeds: skills scan, assessment plan, questioning and professional discussion records,
expert witness statement, assessment report, feedback. Blank (per qualification and per unit) with the seed's
heading and words; completed with what the records hold."""

import datetime as dt

import pytest
from django.utils import timezone

from assessment import services
from printing import registry
from qualifications.models import Unit
from tests.printing.pdftext import pdf_text

NEW_FORMS = {
    "skills-scan": [
        "Skills scan / initial assessment",
        "Key: 1 Little or no responsibility",
        "2 Considerable amount of responsibility",
        "3 Total responsibility",
        "Agreed actions",
    ],
    "assessment-plan": [
        "Assessment action plan",
        "Candidates name",
        "Assessors name",
        "Unit",
        "Skills/Knowledge",
        "Venue",
        "Date and time",
        "Evidences Assessed by",
        "Direct /e-Observation",
        "Projects and assignments",
        "Oral questioning",
        "Professional discussion",
        "Witness testimony",
        "Portfolio evidence",
        "Case study",
        "Supplementary evidence",
        "Written questions",
        "Accredited prior achievement",
        "Work products",
        "Action plan/evidence requirements",
        "Feedback arrangements",
        "Assessor signature",
        "Candidate signature",
        "Reviews of the plan (added by the e-portfolio)",
    ],
    "questioning-record": [
        "Questioning record",
        "Assessor questions and candidate answers",
        "Reference to standards",
    ],
    "professional-discussion-record": ["Professional discussion record", "Record of the discussion"],
    "expert-witness-statement": [
        "Expert witness statement",
        "Candidate statement",
        "Description of activity to be assessed by the witness",
        "Witness statement",
        registry.EXPERT_WITNESS_PROMPT,
        "Witness details",
        "Position/job title",
        "Relationship to candidate",
        "Contact details",
        "Witness signature",
    ],
    "assessment-report": [
        "Assessment report",
        "Skills/Knowledge",
        "Yes or no",
        "Are more skills and techniques evidence required?",
        "Is more knowledge evidence required?",
        "Is more portfolio evidence required?",
        "Have all the skills and techniques/competencies been met?",
        "Have the knowledge and understanding requirements been met?",
        "Is the portfolio evidence valid, sufficient, current and authentic?",
        "Has the evidence been properly authenticated?",
        "Assessors comments",
        "Assessor questions",
        "Candidate answers",
        "Outcome of assessment",
    ],
    "feedback": ["Action plan and feedback to candidate", "Feedback to candidate", "Outcome of assessment"],
}


@pytest.mark.parametrize("slug", NEW_FORMS)
def test_blank_form_carries_the_seed_heading_and_words(catalogue, slug):
    form = registry.get_form(slug)
    text = pdf_text(registry.render_blank(form, catalogue))
    assert text.startswith(NEW_FORMS[slug][0]), text[:80]
    for words in NEW_FORMS[slug]:
        assert words in text, words
    assert "Page 1 of" in text
    # Per unit: the unit is named on the form.
    unit = Unit.objects.get(ref="4430-401")
    text = pdf_text(registry.render_blank(form, catalogue, unit))
    if slug in ("assessment-plan", "assessment-report", "feedback", "expert-witness-statement"):
        assert "Unit 401 Demonstrate understanding of customer service management" in text
    if slug == "skills-scan":
        assert "401 Demonstrate understanding" in text and "402 " not in text


def test_completed_new_forms_print_the_records(completed, registration, people):
    unit, assessor, candidate = completed["unit"], people["assessor"], people["candidate"]
    scan = services.skills_scan_create(
        registration=registration,
        actor=assessor,
        ratings=[(unit, 1, 2, "Leads")],
        agreed_actions="Observe a team briefing.",
    )
    services.skills_scan_agree(scan=scan, actor=candidate)
    plan = services.action_plan_create(
        registration=registration,
        actor=assessor,
        unit=unit,
        venue="Head office, room 2",
        scheduled_at=timezone.make_aware(dt.datetime(2026, 3, 2, 10, 30)),
        methods=["observation", "case_study"],
        skills_scan=scan,
        items=[("Observe the team briefing", dt.date(2026, 3, 2), [])],
    )
    services.action_plan_review(
        plan=plan, actor=assessor, reviewed_on=timezone.localdate(), notes="On track."
    )
    services.assessment_report_create(
        registration=registration,
        actor=assessor,
        unit=unit,
        date=dt.date(2026, 3, 3),
        answers={"more_skills": False, "authenticated": True},
        outcome="Competent in unit 401.",
    )
    text = pdf_text(registry.render_completed(registry.get_form("skills-scan"), registration))
    assert "401 Demonstrate understanding of customer service management ✓ 1 2 3 1 ✓ 2 3 Leads" in text
    assert "Observe a team briefing." in text and "Signed electronically by Cara Candidate" in text
    text = pdf_text(registry.render_completed(registry.get_form("assessment-plan"), registration))
    assert "Venue Head office, room 2 Date and time 02/03/2026 10:30" in text
    assert "✓ Direct /e-Observation" in text and "✓ Case study" in text and "✓ Work products" not in text
    assert "On track." in text
    text = pdf_text(registry.render_completed(registry.get_form("assessment-report"), registration))
    assert "Are more skills and techniques evidence required? Yes ✓ No" in text
    assert "Has the evidence been properly authenticated? ✓ Yes No" in text
    assert "Competent in unit 401." in text
    text = pdf_text(registry.render_completed(registry.get_form("feedback"), registration))
    assert "Well done." in text and "Unit 401 Demonstrate" in text


@pytest.mark.parametrize(
    "fixtures, code, ref",
    [(["2006-L3"], "CS-L3-2006", "2006-301"), (["4430-04", "4430-02"], "4430-02", "4430-201")],
)
def test_completed_recording_forms_keep_the_seed_layout(centre, people, fixtures, code, ref):
    """2006: the evidence-requirement columns, ticked from the mappings. Logbook (4430-02): the assessed-evidence
    box and the logbook's declarations and signatures."""
    from django.core.management import call_command

    from assessment.models import EvidenceMapping, Registration
    from evidence.models import EvidenceItem
    from qualifications.models import AssessmentCriterion, Qualification

    for fixture in fixtures:
        call_command("loaddata", f"fixtures/{fixture}.json", verbosity=0)
    unit = Unit.objects.get(ref=ref)
    registration = Registration.objects.create(
        centre=centre,
        candidate=people["candidate"],
        qualification=Qualification.objects.get(code=code),
        assessor=people["assessor"],
        internal_verifier=people["iv"],
        registered_on=dt.date(2026, 1, 5),
    )
    registration.optional_units.add(unit)
    item = EvidenceItem.objects.create(
        centre=centre, candidate=people["candidate"], title="Service offer notes", kind="work_product"
    )
    first = AssessmentCriterion.objects.filter(unit=unit).order_by("outcome__number", "number").first()
    EvidenceMapping.objects.create(
        registration=registration,
        evidence=item,
        criterion=first,
        unit=unit,
        method="product_evidence",
        decision="accepted",
        assessed_by=people["assessor"],
        assessed_at=timezone.now(),
        location="p. 2",
    )
    text = pdf_text(registry.render_completed(registry.get_form("recording-form"), registration, unit))
    assert "title not printed in the source" not in text
    if code == "CS-L3-2006":
        assert (
            "Standards Evidence requirements Evidence numbers (method) Location ref Met 1 2 3 4 5 6" in text
        )
        assert f"{first.ref} {first.text} ✓ ✓ ✓ ✓ ✓ ✓ E{item.pk} (PE) p. 2 Yes" in text
    else:
        assert (
            f"Assessed evidence Evidence reference Evidence title Assessment method E{item.pk} Service offer notes PE"
            in text
        )
        for words in [
            registry.LOGBOOK_ASSESSOR_DECLARATION,
            registry.LOGBOOK_CANDIDATE_DECLARATION,
            registry.LOGBOOK_COMPETENCE_DECLARATION,
            "Signature of candidate",
            "Signature of assessor",
            "Countersignature of assessor",
            "Signature of IV (if sampled)",
            "Countersignature of IV",
            "Signature of EV (if sampled)",
        ]:
            assert words in text, words

from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    # centre admin
    path("registrations/", views.registration_list, name="registration_list"),
    path("registrations/new/", views.registration_new, name="registration_new"),
    path("registrations/<int:pk>/edit/", views.registration_edit, name="registration_edit"),
    path("registrations/<int:pk>/units/<int:unit_pk>/reopen/", views.unit_reopen, name="unit_reopen"),
    path("registrations/<int:pk>/status/", views.registration_status, name="registration_status"),
    path("registrations/<int:pk>/extend/", views.registration_extend, name="registration_extend"),
    path("date-extensions/", views.date_extensions, name="date_extensions"),
    # assessor, internal verifier, centre admin
    path("caseload/", views.caseload, name="caseload"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration_detail"),
    path(
        "registrations/<int:pk>/employer-confirmation/",
        views.employer_confirmation_request,
        name="employer_confirmation_request",
    ),
    path("employer/<str:token>/", views.employer_confirm, name="employer_confirm"),
    path("registrations/<int:pk>/units/<int:unit_pk>/", views.unit_matrix, name="unit_matrix"),
    path(
        "registrations/<int:pk>/criteria/<int:criterion_pk>/", views.criterion_detail, name="criterion_detail"
    ),
    # assessor
    path("registrations/<int:pk>/units/<int:unit_pk>/sign/", views.unit_sign, name="unit_sign"),
    path("registrations/<int:pk>/evidence/<int:evidence_pk>/map/", views.evidence_map, name="evidence_map"),
    path("mappings/<int:mapping_pk>/decide/", views.mapping_decide, name="mapping_decide"),
    path("mappings/<int:mapping_pk>/remove/", views.mapping_remove, name="mapping_remove"),
    path("countersign/", views.countersign_queue, name="countersign_queue"),
    path("countersign/<int:ua_pk>/", views.unit_countersign, name="unit_countersign"),
    path("registrations/<int:pk>/records/new/<str:kind>/", views.record_new, name="record_new"),
    path("registrations/<int:pk>/action-plans/new/", views.action_plan_new, name="action_plan_new"),
    path("action-plans/<int:plan_pk>/", views.action_plan_detail, name="action_plan_detail"),
    path("registrations/<int:pk>/skills-scan/new/", views.skills_scan_new, name="skills_scan_new"),
    path("skills-scans/<int:scan_pk>/", views.skills_scan_detail, name="skills_scan_detail"),
    path(
        "registrations/<int:pk>/assessment-reports/new/",
        views.assessment_report_new,
        name="assessment_report_new",
    ),
    path(
        "assessment-reports/<int:report_pk>/", views.assessment_report_detail, name="assessment_report_detail"
    ),
    path("registrations/<int:pk>/feedback/new/", views.feedback_new, name="feedback_new"),
    # everyone who may see the registration
    path("records/<int:record_pk>/", views.record_detail, name="record_detail"),
    # candidate
    path("progress/", views.progress, name="progress"),
    path("progress/<int:pk>/", views.progress_detail, name="progress_detail"),
    path(
        "progress/<int:pk>/units/<int:unit_pk>/authenticity/",
        views.authenticity_sign,
        name="authenticity_sign",
    ),
    path("records/<int:record_pk>/sign/", views.record_sign, name="record_sign"),
    path("action-plans/<int:plan_pk>/agree/", views.action_plan_agree, name="action_plan_agree"),
]

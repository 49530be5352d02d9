from django.contrib import admin
from django.urls import include, path

from . import dashboards, signatures, views

admin.site.site_header = "Portfolio administration"
admin.site.site_title = "Portfolio administration"

dashboard_patterns = (
    [
        path("candidate/", dashboards.candidate, name="candidate"),
        path("assessor/", dashboards.assessor, name="assessor"),
        path("internal-verifier/", dashboards.internal_verifier, name="internal_verifier"),
        path("centre-admin/", dashboards.centre_admin, name="centre_admin"),
        path("external-verifier/", dashboards.external_verifier, name="external_verifier"),
    ],
    "dashboards",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("signatures/verify/", signatures.signature_verify, name="signature_verify"),
    path("accounts/", include("accounts.urls")),
    path("invitation/", include("accounts.people.invitation_urls")),
    path("people/", include("accounts.people.urls")),
    path("people/", include("assessment.people_import_urls")),
    path("competence/", include("accounts.competence.urls")),
    path("dashboard/", include(dashboard_patterns)),
    path("catalogue/", include("qualifications.urls")),
    path("evidence/", include("evidence.urls")),
    path("assessment/", include("assessment.urls")),
    path("verification/", include("verification.urls")),
    path("verification/ev/", include("verification.competence_urls")),
    path("forms/", include("printing.urls")),
    path("", include("portability.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "portfolio_site.views.not_found"
handler500 = "portfolio_site.views.server_error"

from django.urls import path

from . import views

app_name = "portability"

urlpatterns = [
    path("centres/<str:number>/key/", views.centre_key, name="centre_key"),
    path("passports/<int:pk>/export/", views.passport_export, name="passport_export"),
    path("passports/verify/", views.passport_verify, name="passport_verify"),
    path("passports/import/", views.passport_import_page, name="passport_import"),
    path("passports/imported/<int:pk>/", views.provenance, name="provenance"),
    path("passports/prior-units/<int:pk>/decide/", views.prior_unit_decision, name="prior_unit_decide"),
    path("credentials/", views.credential_list, name="credential_list"),
    path("credentials/verify/", views.credential_verify, name="credential_verify"),
    path("credentials/issue/<int:pk>/", views.credentials_issue, name="credentials_issue"),
    path("credentials/<uuid:uuid>/download/", views.credential_download, name="credential_download"),
    path("credentials/<uuid:uuid>/email/", views.credential_email, name="credential_email"),
    path("credentials/<uuid:uuid>/revoke/", views.credential_revoke, name="credential_revoke"),
    path("credentials/<uuid:uuid>/status/", views.credential_status, name="credential_status"),
]

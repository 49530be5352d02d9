from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("statement/new/", views.statement_new, name="statement_new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/file/", views.download, name="download"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("witnesses/", views.witness_list, name="witness_list"),
    path("witnesses/new/", views.witness_new, name="witness_new"),
    path("witnesses/<int:pk>/edit/", views.witness_edit, name="witness_edit"),
    path("testimony/new/", views.testimony_new, name="testimony_new"),
    path("registrations/<int:pk>/witnesses/", views.registration_witnesses, name="registration_witnesses"),
    path(
        "registrations/<int:pk>/witnesses/<int:witness_pk>/status/",
        views.witness_status_decide,
        name="witness_status_decide",
    ),
    path("<int:pk>/witness-request/", views.testimony_request, name="testimony_request"),
    path("witness/<str:token>/", views.witness_confirm, name="witness_confirm"),
]

from django.urls import path

from . import views

app_name = "printing"

urlpatterns = [
    path("", views.index, name="index"),
    path("qualification/<str:code>/", views.qualification_forms, name="qualification"),
    path("qualification/<str:code>/<slug:slug>.pdf", views.blank_pdf, name="blank"),
    path("qualification/<str:code>/unit/<str:number>/<slug:slug>.pdf", views.blank_pdf, name="blank_unit"),
    path("registration/<int:pk>/", views.registration_forms, name="registration"),
    path("registration/<int:pk>/<slug:slug>.pdf", views.completed_pdf, name="completed"),
    path(
        "registration/<int:pk>/unit/<int:unit_pk>/<slug:slug>.pdf", views.completed_pdf, name="completed_unit"
    ),
    path("batch/", views.batch_create, name="batch_create"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status", views.job_status, name="job_status"),
    path("jobs/<int:pk>/download", views.job_download, name="job_download"),
]

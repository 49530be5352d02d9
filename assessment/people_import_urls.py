from django.urls import path

from . import people_import_views

app_name = "people_import"

urlpatterns = [
    path("<int:centre_pk>/import/", people_import_views.upload, name="upload"),
    path("<int:centre_pk>/export.csv", people_import_views.export, name="export"),
]

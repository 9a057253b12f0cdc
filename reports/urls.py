from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("manage/reports/", views.ManagerReportView.as_view(), name="manager_report"),
    path("manage/reports/csv/", views.ManagerReportView.as_view(as_csv=True), name="manager_report_csv"),
    path("affiliate/reports/", views.AffiliateReportView.as_view(), name="affiliate_report"),
    path("affiliate/reports/csv/", views.AffiliateReportView.as_view(as_csv=True), name="affiliate_report_csv"),
    path("advertiser/reports/", views.AdvertiserReportView.as_view(), name="advertiser_report"),
    path("advertiser/reports/csv/", views.AdvertiserReportView.as_view(as_csv=True), name="advertiser_report_csv"),
]

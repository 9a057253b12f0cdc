"""Getting in: sign-up, invitations, password reset (Django's auth views expect these names without a namespace,
like login and logout)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from areas.accounts import terms, views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("terms/", terms.terms, name="terms"),
    path("invite/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            extra_context={"timeout_days": settings.PASSWORD_RESET_TIMEOUT // 86400}
        ),
        name="password_reset_done",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]

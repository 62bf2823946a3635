"""django-otp-webauthn's URL names (its scripts look them up) with our completing views and
Japanese catalog in place of the package's."""

from django.urls import path
from django_otp_webauthn.views import BeginCredentialAuthenticationView, BeginCredentialRegistrationView

from accounts.security_keys import CompleteAuthentication, CompleteRegistration, JapaneseCatalog

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/", BeginCredentialRegistrationView.as_view(), name="credential-registration-begin"
    ),
    path("registration/complete/", CompleteRegistration.as_view(), name="credential-registration-complete"),
    path(
        "authentication/begin/",
        BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        CompleteAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    path("jsi18n/", JapaneseCatalog.as_view(), name="js-i18n-catalog"),
]

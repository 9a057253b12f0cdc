"""Links that let a person set their password: Django's password-reset tokens, with a salt of their own for
invitations (so a reset link is never an invitation link, nor the other way round).

Both expire after settings.PASSWORD_RESET_TIMEOUT and stop working once used: the token is made from the
user's password hash, which setting the password changes.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "tally.partners.tokens.InvitationTokenGenerator"


invitation_token_generator = InvitationTokenGenerator()


def invitation_path(user):
    """The path of a fresh invitation link for user (/invite/<uid>/<token>/)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("invitation_accept", kwargs={"uidb64": uid, "token": invitation_token_generator.make_token(user)})

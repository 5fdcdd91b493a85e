from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.stages import EmailVerificationStage, PhoneVerificationStage


class SignupEmailVerificationStage(EmailVerificationStage):
    """Verification as configured at sign-up; never a hold-up for a password login.

    Mandatory verification is what lets the sign-up page answer the same for a new and an
    existing address (allauth then mails the owner instead). An account that already exists —
    made by the admin, an import or seed_demo, or verified long ago — logs in with its password."""

    def handle(self):
        if not self.login.signup and self.login.email_verification == EmailVerificationMethod.MANDATORY:
            self.login.email_verification = EmailVerificationMethod.OPTIONAL
        return super().handle()


class SignupPhoneVerificationStage(PhoneVerificationStage):
    """The SMS code at sign-up (the number is required there); an account made before sign-in by
    phone existed, or by the admin or seed_demo, has no number and logs in as before."""

    def handle(self):
        user = self.login.user
        if user is not None and not self.login.signup and not user.phone:
            return None, True
        if user is None and self.login.email and not self.state:
            # A sign-up with an address that has an account never gets past the code (no code was
            # sent), so the e-mail stage would never tell the owner: tell them now.
            from allauth.account.internal.flows.email_verification import send_verification_email_at_login

            send_verification_email_at_login(self.request, self.login)
        return super().handle()

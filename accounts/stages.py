from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.stages import EmailVerificationStage


class SignupEmailVerificationStage(EmailVerificationStage):
    """Verification as configured at sign-up; never a hold-up for a password login.

    Mandatory verification is what lets the sign-up page answer the same for a new and an
    existing address (allauth then mails the owner instead). An account that already exists —
    made by the admin, an import or seed_demo, or verified long ago — logs in with its password."""

    def handle(self):
        if not self.login.signup and self.login.email_verification == EmailVerificationMethod.MANDATORY:
            self.login.email_verification = EmailVerificationMethod.OPTIONAL
        return super().handle()

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
    phone existed, or by the admin or seed_demo, has no number and logs in as before.

    A sign-up with a number that has an account comes here without a user: allauth then asks the
    adapter for an "account already exists" SMS, which sends nothing (accounts.adapter._send_sms).
    No e-mail is sent from here either: one to the address typed would tell its owner whether the
    number has an account; the owner of a taken address is told by accounts.forms.SignupForm."""

    def handle(self):
        user = self.login.user
        if user is not None and not self.login.signup and not user.phone:
            return None, True
        return super().handle()

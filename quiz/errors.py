class QuizError(Exception):
    """A refusal the contestant or organizer should read: the message is a Vietnamese sentence."""

    def __init__(self, message, *, code: str = "refused"):
        super().__init__(message)
        self.message = str(message)
        self.code = code


class SealedError(QuizError):
    pass

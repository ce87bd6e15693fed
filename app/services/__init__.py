"""The domain: every state change lives here. Services take plain arguments, raise
DomainError, and never commit; the caller (route, job, CLI) commits."""


class DomainError(Exception):
    """A rule of the domain was not met. `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(DomainError):
    """Someone else changed the object since the user's page was loaded: nothing was saved,
    and the message says what the object looks like now."""

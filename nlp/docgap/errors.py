"""User-facing errors with stable codes. Messages never contain note text."""


class DocgapError(Exception):
    code = "E000"

    def __init__(self, message: str):
        super().__init__(f"{self.code}: {message}")
        self.message = message


class LexiconError(DocgapError):
    """A lexicon file is malformed (unknown key, wrong type, missing field)."""

    code = "E001"


class PolicyError(DocgapError):
    """A payer profile is malformed or references something unknown."""

    code = "E002"


class InputError(DocgapError):
    """An input file or record cannot be read."""

    code = "E003"


class RecordError(DocgapError):
    """One record is unusable; it becomes an error row and the batch goes on."""

    code = "E010"

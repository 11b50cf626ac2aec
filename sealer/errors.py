"""The SealerError tree and the exit codes the CLI maps it to.

Messages name the file and key path and say what went wrong; they never carry a
secret value. A hint says what to do about it.
"""

from __future__ import annotations


class Exit:
    """Process exit codes; README.md documents them.

    Plain `int` constants: an `IntEnum` says the same and costs 3M instructions
    (2% of a one-file decrypt) to build at every start.
    """

    OK = 0
    ERROR = 1  # anything not covered below
    USAGE = 2  # bad command line (click's own code)
    UNEXPECTED = 3  # a bug in sealer; a log with the traceback is written
    FORMAT = 4  # input does not parse, or is not the format it claims to be
    CONFIG = 5  # rules file invalid, or no recipients to seal for
    IO = 6  # file missing, unreadable or unwritable
    INTEGRITY = 51  # MAC mismatch or a value that fails authentication (as sops)
    AUDIT = 52  # the audit trail fails verification (sealer audit verify)
    CANNOT_RUN = 126  # `sealer exec`: the command is not executable (as env(1))
    COMMAND_NOT_FOUND = 127  # `sealer exec`: no such command (as env(1))
    NO_KEY = 128  # no identity could unwrap the data key (as sops)
    INTERRUPTED = 130
    ALREADY_SEALED = 203  # encrypting a file that is already sealed (as sops)


class SealerError(Exception):
    """Base of every error sealer reports to a user."""

    exit_code: int = Exit.ERROR

    def __init__(self, message: str, *, hint: str | None = None, file: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.file = file

    def with_file(self, file: str) -> SealerError:
        """Attach the file name, if none is set yet, and return self."""
        if self.file is None:
            self.file = file
        return self

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message


class FormatError(SealerError):
    exit_code = Exit.FORMAT


class ConfigError(SealerError):
    exit_code = Exit.CONFIG


class FileError(SealerError):
    exit_code = Exit.IO


class IntegrityError(SealerError):
    """A value or the MAC failed authentication. One message whatever the cause."""

    exit_code = Exit.INTEGRITY


class NoKeyError(SealerError):
    exit_code = Exit.NO_KEY


class AlreadySealedError(SealerError):
    exit_code = Exit.ALREADY_SEALED


class NotMine(Exception):
    """Raised by an identity for a stanza it cannot open; never shown to users."""

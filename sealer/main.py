"""The `sealer` program: maps errors to exit codes, and runs the hot path without click.

`sealer decrypt FILE` is what deploy scripts run, often once per file, and
`sealer encrypt FILE` (recipients from the rules file) or `sealer encrypt --age
R FILE` what scripts and hooks run; they start without importing click (about a
quarter of start-up). Every other command line goes through the click CLI in
`sealer.cli`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from sealer.errors import Exit, SealerError


def report(error: SealerError) -> None:
    """Print an error and its hint the way every sealer command does."""
    lines = [f"sealer: error: {error}"]
    if error.hint:
        lines += [f"sealer: hint: {line}" for line in error.hint.splitlines()]
    sys.stderr.write("\n".join(lines) + "\n")


def guarded(run: Callable[[], int]) -> int:
    """Run a command; the one place that turns exceptions into exit codes."""
    try:
        return run()
    except SealerError as error:
        _debug_trace(error)
        report(error)
        return int(error.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("sealer: interrupted\n")
        return int(Exit.INTERRUPTED)
    except BrokenPipeError:
        return int(Exit.ERROR)
    except Exception as error:
        from sealer.crashlog import write_crash_log

        _debug_trace(error)
        path = write_crash_log(error)
        sys.stderr.write(
            f"sealer: error: unexpected {type(error).__name__}; this is a bug\n"
            f"sealer: hint: details are in {path}; please report them\n"
        )
        return int(Exit.UNEXPECTED)


def _debug_trace(error: BaseException) -> None:
    from sealer import log

    if log.enabled:
        from sealer.crashlog import describe

        sys.stderr.write("".join(f"sealer: debug: {line}\n" for line in describe(error)))


def _fast(argv: list[str]) -> Callable[[], int] | None:
    """The click-free path: exactly `decrypt FILE`, `encrypt FILE` or `encrypt --age R FILE`."""
    if len(argv) == 4 and argv[:2] == ["encrypt", "--age"] and not argv[2].startswith("-"):
        recipients, argv = argv[2], ["encrypt", argv[3]]
    else:
        recipients = None
    if len(argv) != 2 or argv[1].startswith("-"):
        return None
    if argv[0] == "decrypt":
        from sealer.commands.decrypt import decrypt

        return lambda: decrypt(argv[1])
    if argv[0] == "encrypt":
        from sealer.rules import recipients_in_env

        if recipients_in_env():  # they stand in for recipient flags: the click path reads them
            return None
        from sealer.commands.encrypt import age_policy, encrypt

        if recipients is not None:
            return lambda: encrypt(argv[1], age_policy(recipients))
        return lambda: encrypt(argv[1])
    return None


# Collect cycles after this many new container objects, not CPython's 700: sealing
# or opening a file makes a few objects per value, and the default had the
# collector walk the growing tree again and again (15-25% of a 10,000-value
# file's time). Cycles are still collected, so long runs stay bounded.
GC_THRESHOLD = 100_000


def main(argv: list[str] | None = None) -> int:
    import gc

    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    args = sys.argv[1:] if argv is None else argv
    fast = _fast(args)
    if fast is not None:
        # One file, then the process ends: what the tree holds lives to the end
        # anyway and the few cycles die with the process (peak memory is the same),
        # while even rare collections walked the whole tree through cold caches:
        # a quarter of the wall time of a commented 10,000-value file.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return guarded(fast)
        finally:
            if argv is None:
                # The program: it exits next, and the interpreter's exit would walk
                # every object left alive for cyclic garbage (~10% of a small file's
                # instructions). Frozen objects are skipped; they die with the process.
                gc.freeze()
            if was_enabled:  # main() called in-process (tests) leaves it as it found it
                gc.enable()
    from sealer.cli import run_cli

    return guarded(lambda: run_cli(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

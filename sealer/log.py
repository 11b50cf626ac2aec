"""`--debug` (or SEALER_DEBUG=1): what sealer did, on stderr — never a value or a key.

Messages name files, key types, recipients (public), rules and counts only.
"""

from __future__ import annotations

import os
import sys

enabled = os.environ.get("SEALER_DEBUG", "") not in ("", "0")


def debug(message: str) -> None:
    if enabled:
        sys.stderr.write(f"sealer: debug: {message}\n")

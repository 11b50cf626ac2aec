"""The signed, hash-chained audit trail of re-keying: `.sealer/audit.jsonl`.

`canonical` (RFC 8785 bytes), `sshsig` (SSHSIG sign/verify), `signers`
(`allowed_signers`), `log` (entries, chain, append), `git` (history access),
`verify` (the log against git history) and `merge` (the log's merge driver).
FORMAT.md, section "Audit trail", is the normative description.
"""

from __future__ import annotations

from pathlib import Path

NAMESPACE = "sealer-audit@sealer"  # SSHSIG namespace of every entry signature
DIR = ".sealer"
LOG = f"{DIR}/audit.jsonl"
SIGNERS = f"{DIR}/allowed_signers"


def log_path(root: Path) -> Path:
    return root / LOG


def signers_path(root: Path) -> Path:
    return root / SIGNERS

"""The signed, hash-chained audit trail of re-keying: `.sealer/audit.jsonl`.

`canonical` (RFC 8785 bytes), `sshsig` (SSHSIG sign/verify), `signers`
(`allowed_signers`), `log` (entries, chain, append), `git` (history access),
`verify` (the log against git history) and `merge` (the log's merge driver).
FORMAT.md, section "Audit trail", is the normative description.
"""

from __future__ import annotations

NAMESPACE = "sealer-audit@sealer"  # SSHSIG namespace of every entry signature
DIR = ".sealer"
LOG = f"{DIR}/audit.jsonl"
SIGNERS = f"{DIR}/allowed_signers"

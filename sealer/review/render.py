"""`sealer diff` output: text for people, JSON for programs, Markdown for a review comment.

Only key paths, recipients and metadata are shown; a value appears only with
`--values` (opened with a key), and never in the JSON or Markdown unless asked.
"""

from __future__ import annotations

import json
from typing import Any

from sealer.review.compare import FileDiff
from sealer.review.history import Review

STATUS = {
    "added": "new sealed file",
    "deleted": "sealed file removed",
    "modified": "modified",
    "renamed": "renamed",
    "sealed": "now sealed (was plaintext)",
    "unsealed": "NOW PLAINTEXT (was sealed)",
    "plaintext": "PLAINTEXT, though a rule says it must be sealed",
}
DATA_KEY = {
    "kept": "kept",
    "new": "new (every value re-encrypted)",
    "unknown": "cannot tell without a key (no value or wrapped key in common)",
}


def _lines(d: FileDiff) -> list[tuple[str, str]]:
    """(label, text) pairs describing one file, shared by text and Markdown."""
    out: list[tuple[str, str]] = []
    if d.renamed_from:
        out.append(("renamed from", d.renamed_from))
    for label, paths in (("added", d.added), ("removed", d.removed), ("changed", d.changed)):
        if paths:
            out.append((label, ", ".join(paths)))
    if d.in_clear:
        out.append(("in the clear", ", ".join(d.in_clear)))
    if d.values:
        for path, (old, new) in d.values.items():
            shown = "same value, sealed again" if old == new else f"{_show(old)} -> {_show(new)}"
            out.append(("value", f"{path}: {shown}"))
    if d.recipients_added:
        out.append(("recipients added", ", ".join(d.recipients_added)))
    if d.recipients_removed:
        out.append(("recipients removed", ", ".join(d.recipients_removed)))
    if d.status in ("added", "sealed") and not d.renamed_from:
        out.append(("recipients", "; ".join(", ".join(g) for g in d.recipients)))
    if d.data_key is not None and (d.data_key != "kept" or d.rekeyed):
        out.append(("data key", DATA_KEY[d.data_key]))
    if d.threshold:
        out.append(("threshold", f"{d.threshold[0]} -> {d.threshold[1]}"))
    if d.selection:
        out.append(("selection", f"{d.selection[0]} -> {d.selection[1]}"))
    if d.mac_only_encrypted:
        out.append(
            ("mac_only_encrypted", f"{d.mac_only_encrypted[0]} -> {d.mac_only_encrypted[1]}")
        )
    if d.audit is not None:
        out.append(("audit", _audit_text(d.audit)))
    for problem in d.problems:
        out.append(("problem", problem))
    return out


def _show(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value, default=str)


def _audit_text(audit: dict[str, Any]) -> str:
    status = audit["status"]
    if status == "verified":
        entries = "; ".join(
            f"entry {e['seq']} {e['action']} by {e['actor']}" for e in audit["entries"]
        )
        return f"signed and verified ({entries})"
    if status == "no audit trail":
        return "no audit trail in this repository"
    return f"{'MISSING' if status == 'missing' else 'FAILED'}: " + "; ".join(audit["problems"])


def text(r: Review) -> str:
    if not r.files and not r.audit_problems:
        return ""
    out = [f"sealed files changed between {r.sides.old_name} and {r.sides.new_name}:"]
    for d in r.files:
        out.append(f"{d.path}: {STATUS[d.status]}")
        out += [f"  {label}: {value}" for label, value in _lines(d)]
    out += [f"audit trail: {p}" for p in r.audit_problems]
    return "\n".join(out) + "\n"


def as_json(r: Review) -> str:
    files = []
    for d in r.files:
        item: dict[str, Any] = {
            "path": d.path,
            "status": d.status,
            "added": d.added,
            "removed": d.removed,
            "changed": d.changed,
            "not_sealed": d.in_clear,
            "recipients": d.recipients,
            "recipients_added": d.recipients_added,
            "recipients_removed": d.recipients_removed,
            "data_key": d.data_key,
            "threshold": list(d.threshold) if d.threshold else None,
            "selection": list(d.selection) if d.selection else None,
            "mac_only_encrypted": list(d.mac_only_encrypted) if d.mac_only_encrypted else None,
            "renamed_from": d.renamed_from,
            "audit": d.audit,
            "problems": d.problems,
        }
        if d.values is not None:
            item["values"] = {p: {"old": o, "new": n} for p, (o, n) in d.values.items()}
        files.append(item)
    doc = {
        "old": r.sides.old,
        "new": r.sides.new,
        "files": files,
        "audit_problems": r.audit_problems,
    }
    return json.dumps(doc, indent=2, default=str) + "\n"


def _md(text: str) -> str:
    """Inline code, safe in a table cell: committed names may hold Markdown."""
    text = text.replace("\n", " ").replace("|", "\\|")
    return f"`{text.replace('`', 'ˋ')}`"


def markdown(r: Review) -> str:
    """A pull-request comment: one section per file, key paths and recipients as code."""
    title = f"### Sealed files: {r.sides.old_name[:40]} → {r.sides.new_name[:40]}"
    if not r.files and not r.audit_problems:
        return f"{title}\n\nNo sealed file changed.\n"
    out = [title, ""]
    warnings = sum(1 for d in r.files if d.status in ("unsealed", "plaintext"))
    missing = sum(1 for d in r.files if d.audit and d.audit["status"] in ("missing", "failed"))
    if warnings or missing or r.audit_problems:
        out.append(
            f"> **Needs attention**: {warnings} file(s) stored in plaintext, "
            f"{missing} re-key(s) without a verified audit entry."
        )
        out.append("")
    for d in r.files:
        out.append(f"#### {_md(d.path)}: {STATUS[d.status]}")
        out.append("")
        out.append("| | |")
        out.append("| --- | --- |")
        for label, value in _lines(d):
            cell = value if label == "data key" else _cell(label, value)
            out.append(f"| {label} | {cell} |")
        out.append("")
    out += [f"- audit trail: {_md(p)}" for p in r.audit_problems]
    if any(d.values is not None for d in r.files):
        out.append("_Made by `sealer diff --markdown --values`: it shows opened values._")
    else:
        out.append(
            "_Made by `sealer diff --markdown` from the sealed files alone; no key was used._"
        )
    return "\n".join(out) + "\n"


def _cell(label: str, value: str) -> str:
    """Committed text (paths, recipients, audit actors) only ever as inline code."""
    if label in (
        "added",
        "removed",
        "changed",
        "in the clear",
        "recipients added",
        "recipients removed",
    ):
        return ", ".join(_md(part) for part in value.split(", "))
    return _md(value)

"""Scan results as text for people, JSON for scripts and SARIF for code-scanning UIs.

Reports carry the redacted secret (its known prefix at most, and its length) and
the fingerprint, never the secret itself.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from sealer import __version__
from sealer.scan.run import Finding, Result

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def human(result: Result) -> str:
    return "".join(
        f"{_where(f)}: {f.rule}: {f.description}: {f.redacted} [{f.fingerprint}]\n"
        for f in result.findings
    )


def _where(f: Finding) -> str:
    where = f"{f.path}:{f.line}:{f.column}"
    return f"{f.commit[:12]}:{where}" if f.commit else where


def as_json(result: Result) -> str:
    doc = {
        "version": 1,
        "findings": [asdict(f) for f in result.findings],
        "errors": [{"path": p, "message": m} for p, m in result.errors],
        "skipped": [{"path": p, "reason": m} for p, m in result.skipped],
        "scanned": result.scanned,
        "ignored": result.ignored,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def as_sarif(result: Result) -> str:
    described = {f.rule: f.description for f in result.findings}  # custom rules too
    used = sorted(described)
    rules = [
        {
            "id": rule_id,
            "name": rule_id,
            "shortDescription": {"text": described[rule_id]},
            "defaultConfiguration": {"level": "error"},
        }
        for rule_id in used
    ]
    index = {rule_id: i for i, rule_id in enumerate(used)}
    doc: dict[str, Any] = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sealer",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_sarif_result(f, index[f.rule]) for f in result.findings],
                "invocations": [
                    {
                        "executionSuccessful": not result.errors,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": f"{p}: {m}"}}
                            for p, m in result.errors
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _sarif_result(f: Finding, rule_index: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": f"{f.description}: {f.redacted}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": f.path.replace("\\", "/")},
                    "region": {
                        "startLine": f.line,
                        "startColumn": f.column,
                        "endLine": f.end_line,
                        "endColumn": f.end_column,
                    },
                }
            }
        ],
        "partialFingerprints": {"sealerSecret/v1": f.fingerprint},
    }
    if f.commit:
        out["properties"] = {"commit": f.commit}
    return out

"""`sealer status`."""

from __future__ import annotations

import json as json_module
from typing import Any

import click


def file_status(path: str, input_type: str | None) -> dict[str, Any]:
    """What `status` reports for one file; never raises for a broken file."""
    from sealer import document, fileio, recipients
    from sealer.cli.common import format_for
    from sealer.datakey import Keyring
    from sealer.errors import IntegrityError, NoKeyError, SealerError

    info: dict[str, Any] = {"file": path}
    try:
        fmt = format_for(path, input_type, None)
        info["format"] = fmt.name
        text = fileio.read(path)
        parsed = document.parse(fmt, text, path)
        if parsed.metadata is None:
            info["sealed"] = False
            return info
        parsed, meta = document.read_metadata(fmt, text, path)
    except SealerError as e:
        info.update(sealed=None, error=str(e), exit=int(e.exit_code))
        return info
    info["sealed"] = True
    info["groups"] = [
        [{"type": recipients.type_of(s), "id": recipients.stanza_id(s)} for s in group]
        for group in meta.groups
    ]
    info["threshold"] = meta.threshold
    info["lastmodified"] = meta.lastmodified
    info["selection"] = {meta.selection.rule: meta.selection.value}
    try:
        document.open_text(fmt, text, Keyring(), file=path)
        info["mac"] = "ok"
    except NoKeyError:
        info["mac"] = "not checked (no key)"
    except IntegrityError as e:
        info.update(mac="mismatch", error=str(e), exit=int(e.exit_code))
    except SealerError as e:
        info.update(mac="not checked", error=str(e), exit=int(e.exit_code))
    return info


def _print(info: dict[str, Any]) -> None:
    out = [f"{info['file']}:"]
    if info.get("sealed") is None:
        out.append(f"  error: {info.get('error')}")
    elif not info["sealed"]:
        out.append(f"  not sealed ({info.get('format')})")
    else:
        groups = info["groups"]
        out.append(f"  sealed ({info['format']}), last modified {info['lastmodified']}")
        if len(groups) > 1:
            out.append(f"  key groups: {len(groups)}, threshold {info['threshold']}")
        for i, group in enumerate(groups):
            by_type: dict[str, list[str]] = {}
            for r in group:
                by_type.setdefault(r["type"], []).append(r["id"])
            prefix = f"  group {i + 1} " if len(groups) > 1 else "  "
            for kind, ids in by_type.items():
                out.append(f"{prefix}{kind}: {', '.join(ids)}")
        out.append(f"  mac: {info['mac']}")
        if info.get("error"):
            out.append(f"  error: {info['error']}")
    click.echo("\n".join(out))


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE…")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file, for machines.")
@click.option("--input-type", help="Format of the files (default: from their names).")
def status(files: tuple[str, ...], as_json: bool, input_type: str | None) -> int:
    """For each FILE: sealed or not, its recipients by type, and whether its MAC verifies.

    Exits 0 when every file could be read (sealed or not) and no MAC mismatched;
    otherwise with the code of the worst problem (see README).
    """
    worst = 0
    for path in files:
        info = file_status(path, input_type)
        worst = max(worst, int(info.pop("exit", 0)))
        if as_json:
            click.echo(json_module.dumps(info, ensure_ascii=False))
        else:
            _print(info)
    return worst

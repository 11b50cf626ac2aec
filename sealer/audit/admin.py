"""What the `sealer audit` commands do besides verify: set up, sign changes, show, merge."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sealer import fileio, git
from sealer.audit import DIR, LOG, NAMESPACE, SIGNERS, signers, sshsig
from sealer.audit.log import (
    Entry,
    LogError,
    Writer,
    base_commit,
    current_actor,
    parse_line,
    split_lines,
)
from sealer.audit.merge import MergeConflict, merge
from sealer.errors import ConfigError, SealerError

__all__ = ["MergeConflict", "change_signers", "init", "merge_files", "record", "rows", "table"]

GITATTRIBUTES_LINE = "/.sealer/audit.jsonl merge=sealer-audit"
MERGE_DRIVER = "sealer audit merge %O %A %B"


def repo_path(root: Path, path: str) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(root).as_posix()
    except ValueError:
        return path


def init(root: Path, *, trust_root: str | None, principal: str | None) -> list[str]:
    from sealer.audit.verify import first_signers_commit, load_pin, save_pin

    said: list[str] = []
    (root / DIR).mkdir(exist_ok=True)
    allowed = root / SIGNERS
    if not allowed.exists():
        actor = current_actor(root)
        who = principal or actor.email
        text = "# Who may sign sealer audit entries (OpenSSH allowed_signers); see FORMAT.md\n"
        text += signers.line_for(who, actor.signer.public_key, NAMESPACE)
        fileio.write_atomic(str(allowed), text.encode())
        said.append(f"created {SIGNERS} for {who} ({sshsig.fingerprint(actor.signer.public_key)})")
    if not (root / LOG).exists():
        fileio.write_atomic(str(root / LOG), b"")
        said.append(f"created {LOG}")
    said += install_merge_driver(root)
    pin = load_pin(root)
    head = git.rev(root, "HEAD")
    chosen = git.rev(root, trust_root) if trust_root else None
    if trust_root and chosen is None:
        raise ConfigError(f"trust root {trust_root} is not a commit of this repository")
    if chosen is None and head is not None:
        chosen = first_signers_commit(root, head)
    if chosen is not None:
        pin["trust_root"] = chosen
        save_pin(root, pin)
        said.append(f"pinned trust root {chosen[:12]}")
    else:
        pin["pending"] = True  # the first verify pins the first commit with allowed_signers
        save_pin(root, pin)
        said.append(
            f"commit {DIR}/; the first commit with it becomes the trust root at the first "
            "`sealer audit verify`"
        )
    return said


def install_merge_driver(root: Path) -> list[str]:
    """The .gitattributes line and the local git config of the log's merge driver.

    A later line for the same path wins in .gitattributes (`sealer git install`
    ends its block with `/.sealer/** !merge`), so the line is moved to the end
    when something after it unsets the driver.
    """
    said = []
    attributes = root / ".gitattributes"
    text = attributes.read_text() if attributes.exists() else ""
    lines = text.splitlines()
    effective = git.attribute(root, "merge", LOG) if lines else "unspecified"
    if GITATTRIBUTES_LINE not in lines or effective != "sealer-audit":
        kept = [line for line in lines if line != GITATTRIBUTES_LINE]
        new = "".join(line + "\n" for line in [*kept, GITATTRIBUTES_LINE])
        fileio.write_atomic(str(attributes), new.encode())
        said.append("declared the audit log's merge driver in .gitattributes")
    git.run(["config", "merge.sealer-audit.name", "sealer audit log (keeps the hash chain)"], root)
    git.run(["config", "merge.sealer-audit.driver", MERGE_DRIVER], root)
    return said


def merge_files(base: Path, ours: Path, theirs: Path) -> None:
    cwd = Path.cwd()

    def writer() -> Writer:
        try:
            return Writer(ours, current_actor(cwd), base_commit(cwd))
        except SealerError as e:
            raise MergeConflict(
                f"both sides added entries, and signing the merge failed: {e}"
            ) from None

    try:
        result = merge(base.read_bytes(), ours.read_bytes(), theirs.read_bytes(), writer)
    except LogError as e:
        raise MergeConflict(f"a side's log is malformed: {e}") from None
    fileio.write_atomic(str(ours), result)


# --- signers -----------------------------------------------------------------


def _describe(line: signers.Line) -> str:
    return f"{','.join(line.principals)} {sshsig.fingerprint(line.public_key)}"


def _read_key(value: str) -> bytes:
    path = Path(value).expanduser()
    text = path.read_text() if path.is_file() else value
    return sshsig.parse_public_key_text(text.strip())


def change_signers(
    root: Path, *, add: tuple[str, str] | None = None, remove: str | None = None
) -> None:
    path = root / SIGNERS
    old = path.read_text() if path.exists() else ""
    old_lines = signers.parse(old, SIGNERS)
    kept = old.splitlines(keepends=True)
    added: list[str] = []
    removed: list[str] = []
    if add is not None:
        principal, key = add
        line = signers.line_for(principal, _read_key(key), NAMESPACE)
        if kept and not kept[-1].endswith("\n"):
            kept[-1] += "\n"
        kept.append(line)
        added = [_describe(signers.parse(line)[0])]
    if remove is not None:
        gone = [
            x
            for x in old_lines
            if remove in x.principals or sshsig.fingerprint(x.public_key) == remove
        ]
        if not gone:
            raise ConfigError(f"no allowed_signers line names {remove}")
        numbers = {x.number for x in gone}
        kept = [text for i, text in enumerate(kept, 1) if i not in numbers]
        removed = [_describe(x) for x in gone]
    new = "".join(kept).encode()
    writer = Writer(root / LOG, current_actor(root), git.rev(root, "HEAD"))
    entry = writer.sign(
        {
            "action": "signers.update",
            "file": SIGNERS,
            "signers": {
                "added": added,
                "removed": removed,
                "file_sha256": "sha256:" + hashlib.sha256(new).hexdigest(),
            },
        }
    )
    writer.write(entry)  # the entry first: a change is never left without its entry
    fileio.write_atomic(str(path), new)


# --- recording new files -----------------------------------------------------


def record(root: Path, paths: list[str], keyring: Any) -> int:
    from sealer import document, rekey
    from sealer.audit.log import data_key_id

    found, _ = rekey.targets(paths, Path.cwd())
    writer = Writer(root / LOG, current_actor(root), git.rev(root, "HEAD"))
    for t in found:
        opened = document.open_text(t.fmt, t.text, keyring, file=t.name)
        groups = rekey.fingerprints(opened.meta)
        writer.write(
            writer.sign(
                {
                    "action": "file.create",
                    "file": t.name,
                    "recipients": {
                        "added": sorted({r for g in groups for r in g}),
                        "removed": [],
                        "after": [list(g) for g in groups],
                    },
                    "rotated": False,
                    "data_key_id": data_key_id(opened.key),
                }
            )
        )
    return len(found)


# --- showing -----------------------------------------------------------------


def _entries(data: bytes) -> list[Entry | tuple[int, str]]:
    out: list[Entry | tuple[int, str]] = []
    for i, line in enumerate(split_lines(data)):
        try:
            out.append(parse_line(line, i, check_seq=False))
        except LogError as e:
            out.append((i, e.reason))
    return out


def rows(
    root: Path, rev: str | None, *, files: list[str], actors: list[str]
) -> list[dict[str, Any]]:
    if rev:
        data = git.run(["cat-file", "blob", f"{rev}:{LOG}"], root)
    else:
        data = (root / LOG).read_bytes() if (root / LOG).exists() else b""
    out: list[dict[str, Any]] = []
    for item in _entries(data):
        if isinstance(item, tuple):
            out.append({"log_seq": item[0], "unreadable": item[1]})
            continue
        eff = item.effective()
        row = {k: v for k, v in eff.data.items() if k != "sig"}
        row["log_seq"] = item.seq
        if item.action == "carry":
            row["carried_by"] = item.data["actor"]
        a = eff.data["actor"]
        if files and eff.file not in files:
            continue
        if actors and not any(x in (a["email"], a["name"], a["key"]) for x in actors):
            continue
        out.append(row)
    return out


def _short(recipient: str) -> str:
    return recipient if len(recipient) <= 20 else recipient[:12] + "…" + recipient[-6:]


def _change(row: dict[str, Any]) -> str:
    if "recipients" in row:
        r = row["recipients"]
        parts = [f"+{_short(x)}" for x in r["added"]] + [f"-{_short(x)}" for x in r["removed"]]
        if row.get("rotated"):
            parts.append("rotated")
        return " ".join(parts) or "re-wrapped"
    if "signers" in row:
        s = row["signers"]
        return " ".join([f"+{x}" for x in s["added"]] + [f"-{x}" for x in s["removed"]])
    return ""


def table(data: list[dict[str, Any]]) -> str:
    header = ("SEQ", "TIME (UTC)", "ACTOR", "ACTION", "FILE", "CHANGE")
    body = []
    for row in data:
        if "unreadable" in row:
            body.append((str(row["log_seq"]), "", "", "unreadable", "", row["unreadable"]))
            continue
        actor = f"{row['actor']['name']} <{row['actor']['email']}>"
        action = row["action"]
        if "carried_by" in row:
            action += f" (carried by {row['carried_by']['email']})"
        body.append(
            (str(row["log_seq"]), row["time"], actor, action, row.get("file") or "", _change(row))
        )
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *body]
    ]
    return "\n".join(lines) + "\n"

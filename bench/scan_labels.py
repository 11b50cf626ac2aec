"""Build the scanner's labelled benchmark from public labelled data (not committed).

Three sources, each fetched as a git mirror (the session's `fetch` tool puts
them under /work/.mirror/OWNER+NAME/repo):

- Samsung/CredData: `meta/*.csv` label lines (T/F/X, category) of files in
  ~300 open-source repositories pinned at a commit (`snapshot.json`). For each
  source repository whose mirror is present and which is *not* listed in
  ../shared/reference/holdout.txt, the labelled files are read at the labelled
  commit (the mirrors carry full history); a file is found by CredData's own
  FileID, sha256(path)[:8]. Labels whose commit, file or line is missing are
  dropped and counted.
- Samsung/CredSweeper: `tests/samples` with the expected findings in
  `tests/data/output.json`; every other line of those samples is a negative.
- gitleaks/gitleaks: the per-rule `tps`/`fps` strings in
  cmd/generate/config/rules/*.go (literal strings only; generated ones are
  skipped), each made into a small file.

Output: OUT/files/… (the texts) and OUT/labels.jsonl, one label a line:
{"file", "start", "end" (1-based lines, inclusive), "truth" (T/F/X), "kind",
"source", "category"}. `kind` is one of KINDS or "out-of-scope" (identifiers:
UUIDs, bucket names, app IDs, nonces, salts).

    python bench/scan_labels.py [--mirrors /work/.mirror] [--out /work/corpus/scan/labelled]
"""

from __future__ import annotations

import argparse
import binascii
import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

HOLDOUT = Path(__file__).resolve().parents[1] / ".." / ".." / "shared/reference/holdout.txt"
KINDS = ("password", "generic", "token", "vendor", "private-key", "auth-jwt")

_PRIVATE = {"PEM Private Key", "BASE64 Private Key", "BASE64 encoded PEM Private Key", "JWK",
            "JSON Web Key", "Age Secret Key", "NKEY Seed"}  # fmt: skip
_AUTH = {"Basic Authorization", "Bearer Authorization", "JSON Web Token", "Azure Access Token",
         "NTLM Token", "X App-Only Authentication Bearer Token"}  # fmt: skip
_PASSWORD = {"Password", "SQL Password", "CMD Password", "CMD ConvertTo-SecureString",
             "CURL User Password", "URL Credentials", "CURL Options"}  # fmt: skip
_TOKEN = {"Token", "CMD Token", "Auth"}
_GENERIC = {"Key", "Secret", "API", "Credential", "CMD Secret", "OTP / 2FA Secret", "Other"}
_OUT_OF_SCOPE = {"UUID", "AWS S3 Bucket", "Firebase Domain", "Tencent WeChat API App ID",
                 "Nonce", "Salt", "IPv4", "IPv6"}  # fmt: skip


def kind_of(category: str) -> str:
    """One kind for a CredData/CredSweeper category such as `Password:URL Credentials`."""
    parts = set(category.split(":"))
    if parts <= _OUT_OF_SCOPE:
        return "out-of-scope"
    for kind, names in (
        ("private-key", _PRIVATE), ("auth-jwt", _AUTH), ("password", _PASSWORD),
    ):  # fmt: skip
        if parts & names:
            return kind
    if parts - _TOKEN - _GENERIC - _OUT_OF_SCOPE:
        return "vendor"  # a named format: AWS, Slack, Twilio, Dropbox…
    return "token" if parts & _TOKEN else "generic"


def held_out() -> set[str]:
    lines = HOLDOUT.resolve().read_text().splitlines()
    return {x.strip().lower() for x in lines if x.strip() and not x.startswith("#")}


def git_dir(mirrors: Path, name: str) -> Path | None:
    base = mirrors / name.replace("/", "+", 1) / "repo"
    for candidate in (base / ".git", base):
        if (candidate / "HEAD").is_file() or (candidate / "objects").is_dir():
            return candidate
    return None


def _git(gd: Path, *args: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={gd}", *args], check=True, capture_output=True).stdout


class Writer:
    def __init__(self, out: Path):
        self.out = out
        self.labels: list[dict[str, object]] = []
        self.stats: Counter[str] = Counter()

    def file(self, rel: str, data: bytes) -> str:
        path = self.out / "files" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return rel

    def label(self, rel: str, start: int, end: int, truth: str, category: str, src: str) -> None:
        kind = kind_of(category) if src != "gitleaks" else category
        self.labels.append(
            {
                "file": rel,
                "start": start,
                "end": end,
                "truth": truth,
                "kind": kind,
                "source": src,
                "category": category,
            }
        )
        self.stats[f"{src} {truth}"] += 1


# --- CredData -------------------------------------------------------------------


def creddata(w: Writer, creddata_dir: Path, mirrors: Path) -> None:
    snapshot: dict[str, str] = json.loads((creddata_dir / "snapshot.json").read_text())
    skip = held_out()
    for repo_id, url in sorted(snapshot.items(), key=lambda kv: kv[1]):
        name = "/".join(url.rstrip("/").split("/")[-2:]).removesuffix(".git")
        if name.lower() in skip or name.lower() + ".git" in skip:
            w.stats["creddata repos held out"] += 1
            continue
        meta = creddata_dir / "meta" / f"{binascii.crc32(binascii.unhexlify(repo_id)):08x}.csv"
        rows = list(csv.DictReader(meta.open())) if meta.exists() else []
        gd = git_dir(mirrors, name)
        if gd is None or not rows:
            w.stats["creddata repos not fetched"] += 1
            continue
        commit = repo_id[:40]
        try:
            listing = _git(gd, "ls-tree", "-r", "-z", commit)
        except subprocess.CalledProcessError:
            w.stats["creddata repos without the labelled commit"] += 1
            w.stats["creddata labels dropped (no commit)"] += len(rows)
            continue
        w.stats["creddata repos used"] += 1
        blobs: dict[str, tuple[str, str]] = {}
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            info, _, path = entry.partition(b"\t")
            mode, kind, sha = info.split()
            if kind == b"blob" and mode != b"120000":
                p = path.decode("utf-8", "surrogateescape")
                blobs[hashlib.sha256(p.encode("utf-8", "surrogateescape")).hexdigest()[:8]] = (
                    sha.decode(),
                    p,
                )
        _creddata_repo(w, gd, name, rows, blobs)


def _creddata_repo(
    w: Writer, gd: Path, name: str, rows: list[dict[str, str]], blobs: dict[str, tuple[str, str]]
) -> None:
    cache: dict[str, tuple[str, int] | None] = {}
    for row in rows:
        fid = row["FileID"]
        if fid not in cache:
            found = blobs.get(fid)
            if found is None or not row["FilePath"].lower().endswith(Path(found[1]).suffix.lower()):
                cache[fid] = None
            else:
                data = _git(gd, "cat-file", "blob", found[0])
                rel = f"creddata/{name.replace('/', '+')}/{fid}{Path(found[1]).suffix.lower()}"
                cache[fid] = (w.file(rel, data), data.count(b"\n") + 1)
        got = cache[fid]
        start, end = int(row["LineStart"]), int(row["LineEnd"])
        if got is None or end > got[1] or start < 1:
            w.stats["creddata labels dropped (file or line missing)"] += 1
            continue
        w.label(got[0], start, end, row["GroundTruth"], row["Category"], "creddata")


# --- CredSweeper samples ---------------------------------------------------------------


def credsweeper(w: Writer, root: Path) -> None:
    expected = json.loads((root / "tests/data/output.json").read_text())
    by_file: dict[str, dict[int, tuple[int, str]]] = {}  # path -> first line -> (last, rule)
    for item in expected:  # one finding may span lines (a PEM block): one label
        for path in {x["path"].removeprefix("./") for x in item["line_data_list"]}:
            lines = [int(x["line_num"]) for x in item["line_data_list"] if x["path"].endswith(path)]
            by_file.setdefault(path, {})[min(lines)] = (max(lines), item["rule"])
    for sample in sorted((root / "tests/samples").iterdir()):
        if not sample.is_file() or sample.stat().st_size > 1_000_000:
            continue
        data = sample.read_bytes()
        if b"\0" in data:
            continue  # archives and binaries: CredSweeper's deep scan, not ours
        rel = w.file(f"credsweeper/{sample.name}", data)
        positives = by_file.get(f"tests/samples/{sample.name}", {})
        covered = {n for first, (last, _) in positives.items() for n in range(first, last + 1)}
        for first, (last, rule) in positives.items():
            w.label(rel, first, last, "T", rule, "credsweeper")
        for number, line in enumerate(data.split(b"\n"), 1):
            if number not in covered and line.strip():
                w.label(rel, number, number, "F", "Other", "credsweeper")


# --- gitleaks rule tests -------------------------------------------------------------

_GO_STRING = r'(?:`[^`]*`|"(?:[^"\\\n]|\\.)*")'
_ELEMENT = re.compile(r"^\s*(" + _GO_STRING + r")\s*,?\s*(?://.*)?$", re.M)
_SAMPLE = re.compile(
    r"GenerateSampleSecrets?\(\s*(" + _GO_STRING + r")\s*,\s*(" + _GO_STRING + r")\s*\)"
)
_BLOCKS = (  # a list literal, or an append() spread over lines; one case per line
    re.compile(r"\b(tps|fps)\s*:?=\s*\[\]string\s*\{[ \t]*\n(.*?)^\s*\}", re.M | re.S),
    re.compile(r"\b(tps|fps)\s*=\s*append\(\s*(?:tps|fps)\s*,[ \t]*\n(.*?)^\s*\)", re.M | re.S),
)


def _go_literal(text: str) -> str:
    if text.startswith("`"):
        return text[1:-1]
    return str(json.loads(text.replace("\\'", "'")))


def gitleaks(w: Writer, root: Path) -> None:
    rules_dir = root / "cmd/generate/config/rules"
    for go in sorted(rules_dir.glob("*.go")):
        source = go.read_text()
        kind = {"privatekey": "private-key", "jwt": "auth-jwt", "generic": "generic"}.get(
            go.stem, "vendor"
        )
        cases: list[tuple[str, str]] = []
        for ident, secret in _SAMPLE.findall(source):
            cases.append(("T", f'{_go_literal(ident)}_api_token = "{_go_literal(secret)}"'))
        blocks = [found for rx in _BLOCKS for found in rx.findall(source)]
        for which, body in blocks:
            for literal in _ELEMENT.findall(body):
                try:
                    cases.append(("T" if which == "tps" else "F", _go_literal(literal)))
                except (ValueError, json.JSONDecodeError):
                    w.stats["gitleaks strings skipped"] += 1
        for n, (truth, text) in enumerate(cases):
            if not text.strip():
                continue
            rel = w.file(f"gitleaks/{go.stem}/{n}.txt", text.encode() + b"\n")
            lines = text.count("\n") + 1
            if truth == "T":
                w.label(rel, 1, lines, "T", kind, "gitleaks")
            else:
                for i in range(1, lines + 1):
                    w.label(rel, i, i, "F", kind, "gitleaks")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--corpus", type=Path, default=Path("/work/corpus/scan"))
    ap.add_argument("--out", type=Path, default=Path("/work/corpus/scan/labelled"))
    args = ap.parse_args(argv)
    shutil.rmtree(args.out, ignore_errors=True)
    w = Writer(args.out)
    creddata(w, args.corpus / "Samsung+CredData", args.mirrors)
    credsweeper(w, args.corpus / "Samsung+CredSweeper")
    gitleaks(w, args.corpus / "gitleaks+gitleaks")
    with (args.out / "labels.jsonl").open("w") as f:
        for label in w.labels:
            f.write(json.dumps(label) + "\n")
    for key, value in sorted(w.stats.items()):
        print(f"{key}: {value}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Differential fidelity runner: sealer and the sops binary on files nobody here wrote.

For every case it seals the file with sealer (in process, the library the CLI
runs, with its write-time self-check on), opens the result again and compares;
then does the same with the sops binary and crosses the two (sealer opens what
sops wrote, sops opens what sealer wrote). Sources:

* a checkout of yaml-test-suite's `data` branch (one directory per case with
  in.yaml, in.json as the expected data, `error` for an invalid case);
* JSONTestSuite's test_parsing/ (y_ must parse, n_ must be refused, i_ either);
* a directory of real config files (*.yaml, *.yml, *.json, *.env, *.ini).

Outcome per case for sealer (the first that applies):

* crash          an exception that is not a SealerError (exit 3), the
                 self-check's SelfCheckError included ("net" counts those);
* refused        a clear error (a SealerError) before anything is written;
* wrong data     what sealer opens from its own output differs from what it
                 read, or what it reads differs from the reference data (in.json,
                 Python's json, ruamel.yaml for configs) and from what sops reads;
* as sops        what sealer reads differs from the reference but is what sops
                 reads too (libyaml and go-yaml agree against the spec, for
                 instance `&an:chor` is anchor `an` before the scalar `:chor`);
* unopenable     sealer cannot open its own output;
* accepted-invalid  an invalid case (yaml `error`, JSON n_) sealed anyway;
* identical      opening gives back the input byte for byte;
* same data      the same data and comments, other bytes (a canonical form).

`comments lost` counts cases where a comment line of the input is missing
after the round trip. sops columns: sealed (exit 0), refused, sops opens its
own output, sealer opens sops' output (to the data sops shows), sops opens
sealer's output (to the data sealer read), and sops warnings that a comment in
sealer's output did not open.

    python bench/fidelity.py [--yaml-suite DIR] [--json-suite DIR] [--configs DIR]
                             [--jobs 2] [--details FILE]

Nothing is written to the corpora; the key is a fresh age key in a temp dir.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
EXT = {"yaml": ".yaml", "json": ".json", "dotenv": ".env", "ini": ".ini"}
SOPS_TYPE = {"yaml": "yaml", "json": "json", "dotenv": "dotenv", "ini": "ini"}
NO_REFERENCE = object()


@dataclass
class Case:
    suite: str
    name: str
    fmt: str
    data: bytes
    valid: bool | None  # None: implementation-defined or unknown
    reference: Any = NO_REFERENCE  # expected data (list of documents), if known


@dataclass
class Outcome:
    case: Case
    sealer: str = ""
    detail: str = ""
    net: bool = False
    comments_lost: int = 0
    sops: str = ""  # sealed / refused
    sops_own: str = ""  # ok / FAIL / -
    sealer_opens_sops: str = "-"
    sops_opens_sealer: str = "-"
    sops_comment_warnings: int = 0
    sops_data: Any = None  # what sops shows of its own sealed file
    sealer_data: Any = None
    notes: list[str] = field(default_factory=list)


# -- cases -------------------------------------------------------------------------


def yaml_suite(root: Path) -> list[Case]:
    cases = []
    for inp in sorted(root.rglob("in.yaml")):
        d = inp.parent
        ref: Any = NO_REFERENCE
        if (d / "in.json").exists():
            ref = _json_stream((d / "in.json").read_text())
        name = str(d.relative_to(root))
        cases.append(Case("yaml-test-suite", name, "yaml", inp.read_bytes(),
                          not (d / "error").exists(), ref))  # fmt: skip
    return cases


def _json_stream(text: str) -> list[Any]:
    dec = json.JSONDecoder()
    out, i = [], 0
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i >= len(text):
            return out
        value, i = dec.raw_decode(text, i)
        out.append(value)


def json_suite(root: Path) -> list[Case]:
    cases = []
    for f in sorted((root / "test_parsing").glob("*.json")):
        kind = f.name[0]
        data = f.read_bytes()
        ref: Any = NO_REFERENCE
        if kind == "y":
            ref = [json.loads(data)]
        cases.append(Case("JSONTestSuite", f.name, "json", data,
                          {"y": True, "n": False}.get(kind), ref))  # fmt: skip
    return cases


def configs(root: Path) -> list[Case]:
    kinds = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".env": "dotenv", ".ini": "ini"}
    cases = []
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        fmt = kinds.get(f.suffix.lower())
        if fmt is None:
            continue
        data = f.read_bytes()
        cases.append(Case("configs", str(f.relative_to(root)), fmt, data, None,
                          _config_reference(fmt, data)))  # fmt: skip
    return cases


def _config_reference(fmt: str, data: bytes) -> Any:
    try:
        if fmt == "json":
            return [json.loads(data)]
        if fmt == "yaml":
            from ruamel.yaml import YAML

            return [d for d in YAML(typ="safe", pure=True).load_all(data.decode("utf-8-sig"))]
    except Exception:
        return NO_REFERENCE
    return NO_REFERENCE


# -- comparison --------------------------------------------------------------------


def jsonish(value: Any) -> Any:
    """Data as JSON sees it: numbers as floats, times and other scalars as text."""
    import datetime

    from sealer.values import Comment, GoTime, Raw

    if isinstance(value, dict):
        return {str(k): jsonish(v) for k, v in value.items() if not isinstance(k, Comment)}
    if isinstance(value, bytes | Raw):  # !!binary: bytes on both sides (Raw is a tuple)
        import base64

        data = value if isinstance(value, bytes) else value.data
        return "bytes:" + base64.b64encode(data).decode()
    if isinstance(value, list | tuple):
        return [jsonish(v) for v in value]
    if value is None or (isinstance(value, bool | str) and type(value) in (bool, str)):
        return value
    if isinstance(value, GoTime | datetime.date):
        return "<time>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        f = float(value)
        return "nan" if math.isnan(f) else f
    if isinstance(value, str):  # WideInt and other str-backed values
        try:
            return float(value)
        except ValueError:
            return str(value)
    return str(value)


def agrees(reference: Any, data: Any) -> bool:
    """Data read from YAML against the suite's JSON, which writes `!!binary` as its
    base64 text (line breaks and all): such bytes agree with that text."""
    if isinstance(data, str) and data.startswith("bytes:") and isinstance(reference, str):
        import base64
        import binascii

        try:
            return base64.b64decode("".join(reference.split()), validate=True) == (
                base64.b64decode(data.removeprefix("bytes:"))
            )
        except binascii.Error:
            return False
    if isinstance(reference, dict) and isinstance(data, dict):
        return reference.keys() == data.keys() and all(
            agrees(reference[k], data[k]) for k in reference
        )
    if isinstance(reference, list) and isinstance(data, list):
        return len(reference) == len(data) and all(map(agrees, reference, data))
    return bool(reference == data)


def _docs(reference: list[Any]) -> list[Any]:
    """Reference documents as sealer reads them: an empty document is an empty mapping,
    and a stream without documents is one (FORMAT.md: such a file is sealed as one)."""
    return [jsonish({} if d is None else d) for d in reference] or [{}]


def _sealer_data(fmt_name: str, text: str) -> list[Any]:
    from sealer import formats
    from sealer.tree import to_python

    parsed = formats.get(fmt_name).parse(text)
    return [jsonish(to_python(d)) for d in parsed.docs]


_COMMENT = re.compile(r"(?:^|[ \t])[#;](.*)$", re.M)


def comments_lost(fmt: str, before: str, after: str) -> int:
    """Comment lines of `before` whose text is not in `after` (0 when the bytes agree)."""
    if before == after or fmt == "json":
        return 0
    return sum(1 for m in _COMMENT.finditer(before) if m.group(1).strip() not in after)


# -- running -----------------------------------------------------------------------


class Runner:
    def __init__(self, sops: str, workdir: Path):
        self.sops = sops
        self.work = workdir
        keyfile = workdir / "key.txt"
        subprocess.run([shutil.which("age-keygen") or "age-keygen", "-o", str(keyfile)],
                       check=True, capture_output=True)  # fmt: skip
        text = keyfile.read_text()
        self.secret = next(x for x in text.splitlines() if x.startswith("AGE-SECRET-KEY-"))
        self.recipient = next(
            x.split(": ", 1)[1] for x in text.splitlines() if x.startswith("# public key:")
        )
        # ruamel.yaml whole, here in one thread: sealer defers its package __init__
        # (sealer/formats/libyaml.py) and threads racing to run it see half a module
        from ruamel.yaml import YAML  # noqa: F401

        os.environ["SEALER_AGE_KEY"] = self.secret
        os.environ["SOPS_AGE_KEY_FILE"] = str(keyfile)
        from sealer import datakey, document
        from sealer import recipients as kinds

        found = kinds.parse_with(kinds.key_type("age"), self.recipient, {})
        self.policy = document.Policy(groups=(tuple(found),))
        self.keyring = datakey.Keyring()

    def run(self, case: Case, index: int) -> Outcome:
        out = Outcome(case)
        sealed = self._sealer(case, out)
        self._sops(case, out, index, sealed)
        if out.sealer == "off reference":
            out.sealer = "as sops" if out.sops_data == out.sealer_data else "wrong data"
        return out

    def _sealer(self, case: Case, out: Outcome) -> str | None:
        from sealer import document, fileio, formats
        from sealer.errors import SealerError
        from sealer.selfcheck import SelfCheckError

        text = fileio.decode(case.data)
        fmt = formats.get(case.fmt)
        try:
            sealed = document.seal_text(fmt, text, policy=self.policy, file=case.name)
        except SealerError as e:
            out.sealer, out.detail = "refused", e.message[:120]
            return None
        except SelfCheckError as e:
            out.sealer, out.net, out.detail = "crash", True, str(e)[:120]
            return None
        except Exception as e:
            out.sealer, out.detail = "crash", f"{type(e).__name__}: {e}"[:120]
            return None
        try:
            opened = document.open_text(fmt, sealed, self.keyring, remember=False)
        except Exception as e:
            out.sealer, out.detail = "unopenable", f"{type(e).__name__}: {e}"[:120]
            return sealed
        data = out.sealer_data = _sealer_data(case.fmt, text)
        if case.reference is not NO_REFERENCE and not agrees(_docs(case.reference), data):
            out.sealer, out.detail = "off reference", "reads other data than the reference"
            return sealed
        if _sealer_data(case.fmt, opened.plaintext) != data:
            out.sealer, out.detail = "wrong data", "opens to other data than it sealed"
            return sealed
        out.comments_lost = comments_lost(case.fmt, text, opened.plaintext)
        if case.valid is False:
            out.sealer = "accepted-invalid"
        elif opened.plaintext == text:
            out.sealer = "identical"
        else:
            out.sealer = "same data"
        return sealed

    def _sops(self, case: Case, out: Outcome, index: int, sealed: str | None) -> None:
        t = SOPS_TYPE[case.fmt]
        plain = self.work / f"p{index}{EXT[case.fmt]}"
        plain.write_bytes(case.data)
        flags = ["--input-type", t, "--output-type", t]
        r = subprocess.run([self.sops, "encrypt", "--age", self.recipient, *flags, str(plain)],
                           capture_output=True)  # fmt: skip
        if r.returncode != 0:
            out.sops, out.sops_own = "refused", "-"
        else:
            out.sops = "sealed"
            by_sops = self.work / f"s{index}{EXT[case.fmt]}"
            by_sops.write_bytes(r.stdout)
            d = subprocess.run([self.sops, "decrypt", *flags, str(by_sops)], capture_output=True)
            out.sops_own = "ok" if d.returncode == 0 else "FAIL"
            if d.returncode == 0 and case.fmt in ("yaml", "json"):
                try:
                    out.sops_data = _foreign(case.fmt, d.stdout)
                except Exception:
                    out.sops_data = None
            if d.returncode == 0:
                out.sealer_opens_sops = self._open_sops_output(case, r.stdout, d.stdout)
            by_sops.unlink()
        if sealed is not None and out.sealer != "unopenable":
            mine = self.work / f"m{index}{EXT[case.fmt]}"
            from sealer import fileio

            mine.write_bytes(fileio.encode(sealed))
            d = subprocess.run([self.sops, "decrypt", *flags, str(mine)], capture_output=True)
            out.sops_comment_warnings = d.stderr.count(b"possibly unencrypted comment")
            if d.returncode != 0:
                out.sops_opens_sealer = (
                    "FAIL" if out.sops == "sealed" else "no (sops refuses input)"
                )
            elif case.fmt in ("yaml", "json") and not self._same_as_sealer(case, d.stdout):
                # sops shows some layouts as other data in its own files too (an empty
                # comment line in a list becomes an empty string): not sealer's doing
                same = out.sops_data is not None and _foreign(case.fmt, d.stdout) == out.sops_data
                out.sops_opens_sealer = "ok (as its own)" if same else "other data"
            else:
                out.sops_opens_sealer = "ok"
            mine.unlink()
        plain.unlink()

    def _open_sops_output(self, case: Case, sealed: bytes, shown: bytes) -> str:
        from sealer import document, fileio, formats

        try:
            opened = document.open_text(
                formats.get(case.fmt), fileio.decode(sealed), self.keyring, remember=False
            )
        except Exception as e:
            out = f"FAIL ({type(e).__name__}: {str(e)[:80]})"
            return out
        if case.fmt in ("yaml", "json"):
            try:
                if _sealer_data(case.fmt, opened.plaintext) != _foreign(case.fmt, shown):
                    return "other data"
            except Exception:
                return "ok (sops output not comparable)"
        return "ok"

    def _same_as_sealer(self, case: Case, shown: bytes) -> bool:
        try:
            return _foreign(case.fmt, shown) == _sealer_data(case.fmt, case.data.decode())
        except Exception:
            return True  # nothing to compare with (sealer refused, or output not data)


def _foreign(fmt: str, data: bytes) -> list[Any]:
    if fmt == "json":
        return _docs([json.loads(data)])
    from ruamel.yaml import YAML

    return _docs(list(YAML(typ="safe", pure=True).load_all(data.decode())))


# -- report --------------------------------------------------------------------------

SEALER_COLUMNS = ["identical", "same data", "as sops", "refused", "accepted-invalid", "crash",
                  "wrong data", "unopenable"]  # fmt: skip


def table(outcomes: list[Outcome]) -> str:
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        c = o.case
        kind = {True: "valid", False: "invalid", None: "other"}[c.valid]
        if c.suite == "configs":
            kind = c.fmt
        groups.setdefault(f"{c.suite} {kind}", []).append(o)
    head = ["corpus", "cases", *SEALER_COLUMNS, "net", "comments lost", "sops seals",
            "sops opens own", "sealer opens sops", "sops opens sealer",
            "sops comment warnings"]  # fmt: skip
    rows = [head, ["---"] * len(head)]
    for name, group in groups.items():
        n = Counter(o.sealer for o in group)
        sops_sealed = [o for o in group if o.sops == "sealed"]
        own = [o for o in sops_sealed if o.sops_own == "ok"]
        cross = [o for o in group if o.sops_opens_sealer != "-"]
        sealer_sops_ok = sum(1 for o in own if o.sealer_opens_sops.startswith("ok"))
        sops_sealer_ok = sum(1 for o in cross if o.sops_opens_sealer.startswith("ok"))
        rows.append([
            name, str(len(group)), *(str(n[c]) for c in SEALER_COLUMNS),
            str(sum(o.net for o in group)), str(sum(o.comments_lost for o in group)),
            str(len(sops_sealed)), f"{len(own)}/{len(sops_sealed)}",
            f"{sealer_sops_ok}/{len(own)}", f"{sops_sealer_ok}/{len(cross)}",
            str(sum(o.sops_comment_warnings for o in group)),
        ])  # fmt: skip
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--yaml-suite", type=Path)
    ap.add_argument("--json-suite", type=Path)
    ap.add_argument("--configs", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--details", type=Path, help="write one line per case that is not ok")
    args = ap.parse_args(argv)
    sops = shutil.which("sops", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if sops is None:
        raise SystemExit("sops not found (make test installs it)")
    cases: list[Case] = []
    if args.yaml_suite:
        cases += yaml_suite(args.yaml_suite)
    if args.json_suite:
        cases += json_suite(args.json_suite)
    if args.configs:
        cases += configs(args.configs)
    with tempfile.TemporaryDirectory() as tmp:
        runner = Runner(sops, Path(tmp))
        with ThreadPoolExecutor(args.jobs) as pool:
            outcomes = list(pool.map(runner.run, cases, range(len(cases))))
    print(table(outcomes))
    bad = [
        o for o in outcomes
        if o.sealer in ("crash", "wrong data", "unopenable", "accepted-invalid")
        or o.comments_lost or o.sops_comment_warnings
        or (o.sops_own == "ok" and not o.sealer_opens_sops.startswith("ok"))
        or o.sops_opens_sealer not in ("-", "ok", "ok (as its own)", "no (sops refuses input)")
    ]  # fmt: skip
    if args.details:
        with args.details.open("w") as f:
            for o in outcomes:
                f.write(
                    f"{o.case.suite}\t{o.case.name}\t{o.sealer}\t{o.detail}\tcomments_lost="
                    f"{o.comments_lost}\tsops={o.sops}/{o.sops_own}\tsealer_opens_sops="
                    f"{o.sealer_opens_sops}\tsops_opens_sealer={o.sops_opens_sealer}\t"
                    f"warnings={o.sops_comment_warnings}\n"
                )
    print(f"\n{len(bad)} cases to look at" + (f" (see {args.details})" if args.details else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())

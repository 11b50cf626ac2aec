"""Where sops looks for each comment sealer seals: a check against the sops binary.

sops opens a sealed comment only with the additional data of the path go-yaml
files it under (FORMAT.md, "YAML"). For each YAML file this seals it with
sealer, renames the appended `sops:` entry (so that sops will seal the file
again, with the same layout), seals that with the sops binary, and opens each
of sops' sealed comments, whose text is one of sealer's sealed comments, with
the data key under every path of the file: the path that opens it is the one
go-yaml gave sealer's comment. It prints every comment sealer filed elsewhere.

    python bench/comment_paths.py FILE_OR_DIR...      # real files
    python bench/comment_paths.py --generated 500     # random layouts (seeds 0..499)

"lost" counts comments that sops drops from a file whoever sealed it (the foot
of an empty flow collection): nothing can be filed for it.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


class Checker:
    def __init__(self, work: Path) -> None:
        keyfile = work / "key.txt"
        subprocess.run(["age-keygen", "-o", str(keyfile)], check=True, capture_output=True)
        text = keyfile.read_text()
        self.recipient = text.split("# public key: ", 1)[1].split()[0]
        os.environ["SEALER_AGE_KEY"] = re.findall(r"AGE-SECRET-KEY-\S+", text)[0]
        self.work = work
        self.sops = shutil.which("sops", path=f"{BIN}{os.pathsep}{os.environ['PATH']}") or "sops"
        from sealer import document, formats
        from sealer.recipients.age import AgeRecipient

        self.fmt = formats.get("yaml")
        self.policy = document.Policy(groups=((AgeRecipient(self.recipient),),))

    def differences(self, plain: str) -> tuple[list[tuple[int, str, str]], int] | None:
        """(line in sealer's output, sealer's path, go-yaml's path) per comment filed
        elsewhere, and the number of comments sops drops; None if sops refuses."""
        from sealer import datakey, document, enc
        from sealer.envelope import aad_of

        sealed = document.seal_text(self.fmt, plain, policy=self.policy)
        path = self.work / "in.yaml"
        path.write_text(re.sub(r"(?m)^sops:", "sopz:", sealed))
        r = subprocess.run([self.sops, "encrypt", "--age", self.recipient, str(path)],
                           capture_output=True, text=True)  # fmt: skip
        if r.returncode:
            return None
        parsed, meta = document.read_metadata(self.fmt, r.stdout)
        cipher = enc.Cipher(datakey.Keyring().unwrap(meta))
        theirs: list[tuple[Any, tuple[str, ...]]] = []
        paths: set[tuple[str, ...]] = set()
        for doc in parsed.docs:
            _comments(doc, (), theirs, paths)
        goyaml: dict[str, tuple[str, ...]] = {}
        for node, _ in theirs:
            for candidate in paths:
                try:
                    _, data = cipher.open(node.text, aad_of(candidate))
                except Exception:
                    continue
                goyaml[data.decode()] = candidate
                break
        mine: list[tuple[Any, tuple[str, ...]]] = []
        for doc in self.fmt.parse(sealed).docs:
            _comments(doc, (), mine, set())
        out, lost = [], 0
        for node, filed in mine:
            if not node.text.startswith("ENC["):
                continue  # an empty comment: nothing sealed
            if node.text not in goyaml:
                lost += 1
            elif goyaml[node.text] != filed:
                line = sealed.count("\n", 0, node.span[0]) + 1
                out.append((line, ":".join(filed), ":".join(goyaml[node.text])))
        return out, lost


def _comments(node: Any, path: tuple[str, ...], out: list[Any], paths: set[Any]) -> None:
    """Comments with the path of their collection; sops' `- ENC[…comment]` items too."""
    from sealer.tree import CommentNode, Mapping, Scalar, Sequence

    if isinstance(node, Mapping):
        paths.add(path)
        for key, value in node.items:
            if isinstance(key, CommentNode):
                out.append((key, path))
            else:
                _comments(value, (*path, key), out, paths)
    elif isinstance(node, Sequence):
        paths.add(path)
        for item in node.items:
            if isinstance(item, CommentNode):
                out.append((item, path))
            elif isinstance(item, Scalar) and str(item.value).endswith("type:comment]"):
                out.append((CommentNode(str(item.value), item.span), path))
            else:
                _comments(item, path, out, paths)


def generated(seed: int) -> str:
    """Nested mappings, lists, flow collections, null values and block scalars with
    runs of comment lines at random columns, blank lines between."""
    r = random.Random(seed)
    lines: list[str] = []

    def comments(col: int) -> None:
        for _ in range(r.randint(1, 4)):
            if r.random() < 0.3:
                lines.append("")
            lines.append(" " * r.randint(0, col + 4) + f"# c{len(lines)}")
        if r.random() < 0.3:
            lines.append("")

    def block(depth: int, col: int, kind: str, step: int) -> None:
        for _ in range(r.randint(1, 3)):
            pad, n, x = " " * col, len(lines), r.random()
            if kind == "seq" and depth < 3 and x < 0.3:
                lines.append(f"{pad}- m{n}: x")
                block(depth + 1, col + 2, "map", step)
            elif kind == "seq":
                lines.append(f"{pad}- i{n}")
            elif depth < 3 and x < 0.35:
                lines.append(f"{pad}k{n}:" + (" # l" if r.random() < 0.2 else ""))
                if r.random() < 0.3:
                    comments(col)
                sub = r.choice(["map", "seq", "indentless"])
                if sub == "indentless":
                    block(depth + 1, col, "seq", step)
                else:
                    block(depth + 1, col + step, sub, step)
            elif x < 0.42:
                lines.append(f"{pad}k{n}: " + r.choice(["[]", "{}", "[a, b]", "{x: 1}"]))
            elif x < 0.47:
                lines.append(f"{pad}k{n}:")
            elif x < 0.5:
                lines.extend([f"{pad}k{n}: |", " " * (col + step) + "text"])
            else:
                lines.append(f"{pad}k{n}: v{n}" + (" # l" if r.random() < 0.2 else ""))
            if r.random() < 0.6:
                comments(col)

    if r.random() < 0.3:
        comments(0)
    block(0, 0, "map", r.choice([2, 2, 4]))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--generated", type=int, default=0, help="check this many random layouts")
    args = ap.parse_args(argv)
    cases: list[tuple[str, str]] = []
    for p in args.paths:
        files = sorted(p.rglob("*.y*ml")) if p.is_dir() else [p]
        cases += [(str(f), f.read_text()) for f in files]
    cases += [(f"seed {s}", generated(s)) for s in range(args.generated)]
    from sealer.errors import SealerError

    files = differ = lost = refused = 0
    with tempfile.TemporaryDirectory() as tmp:
        checker = Checker(Path(tmp))
        for name, text in cases:
            try:
                found = checker.differences(text)
            except SealerError:
                found = None
            except Exception as e:  # a sealer bug (the self-check's error included)
                print(f"{name}: sealer crashed: {type(e).__name__}: {e}")
                found = None
            if found is None:
                refused += 1
                continue
            files += 1
            lost += found[1]
            for line, mine, theirs in found[0]:
                differ += 1
                print(f"{name}: sealed line {line}: sealer {mine!r}, go-yaml {theirs!r}")
    print(f"{files} files: {differ} comments filed elsewhere than go-yaml files them, "
          f"{lost} dropped by sops; {refused} not sealed by one of the tools")  # fmt: skip
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

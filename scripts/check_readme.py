#!/usr/bin/env python3
"""Runs the README's examples as written.

Markers (HTML comments, invisible on GitHub) before a fenced block:

  <!-- check-readme -->               run this sh block; it must exit 0
  <!-- check-readme: exit N -->       run this sh block; it must exit N
  <!-- check-readme: file NAME -->    write this block to NAME (before any
                                      example runs)
  <!-- check-readme: output -->       every line of this block must be a line
                                      of the output (stdout and stderr) of
                                      the block run just before it

Blocks run in order, in one scratch folder, with `hubsel` from
target/release first on PATH, so that an example may use the files an
earlier one wrote (as a reader following the README does).

Usage: check_readme.py README.md BIN_DIR
"""

import os
import re
import subprocess
import sys
import tempfile

MARK = re.compile(r"<!-- check-readme(?::\s*(.*?))?\s*-->")
FENCE = re.compile(r"^```(\w*)\s*$")


def blocks(text):
    """(directive, lang, body, line) for every fenced block after a marker."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = MARK.fullmatch(lines[i].strip())
        if not m:
            i += 1
            continue
        directive = (m.group(1) or "run").strip()
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        f = FENCE.match(lines[j]) if j < len(lines) else None
        if not f:
            sys.exit(f"README.md:{i + 1}: a check-readme marker must be followed by a fenced block")
        k = j + 1
        while k < len(lines) and not lines[k].startswith("```"):
            k += 1
        out.append((directive, f.group(1), "\n".join(lines[j + 1:k]) + "\n", i + 1))
        i = k + 1
    return out


def main():
    readme, bin_dir = sys.argv[1], os.path.abspath(sys.argv[2])
    text = open(readme, encoding="utf-8").read()
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    failures = 0
    ran = 0
    last_output = None
    with tempfile.TemporaryDirectory() as work:
        # Files first: the README shows a command before the file it reads
        # (the scenario below the command), as a reader saves both first.
        for directive, lang, body, line in blocks(text):
            if directive.startswith("file "):
                name = directive[5:].strip()
                with open(os.path.join(work, name), "w", encoding="utf-8") as f:
                    f.write(body)
                print(f"  README.md:{line}: wrote {name}")
        for directive, lang, body, line in blocks(text):
            if directive.startswith("file "):
                continue
            if directive == "output":
                if last_output is None:
                    print(f"FAIL README.md:{line}: an output block with no example before it")
                    failures += 1
                    continue
                have = {l.rstrip() for l in last_output.split("\n")}
                missing = [l for l in body.split("\n") if l.strip() and l.rstrip() not in have]
                for l in missing:
                    print(f"FAIL README.md:{line}: not in the output: {l}")
                failures += len(missing)
                if missing:
                    print("---- the output was:\n" + last_output + "----")
                continue
            want = 0
            if directive.startswith("exit "):
                want = int(directive[5:])
            elif directive != "run":
                sys.exit(f"README.md:{line}: unknown check-readme directive {directive!r}")
            if lang not in ("sh", "bash", "console", ""):
                sys.exit(f"README.md:{line}: only sh blocks run, not {lang}")
            p = subprocess.run(["bash", "-o", "pipefail", "-e", "-c", body], cwd=work, env=env,
                               capture_output=True, text=True)
            ran += 1
            last_output = p.stdout + p.stderr
            status = "ok" if p.returncode == want else f"FAIL (exit {p.returncode}, expected {want})"
            first = body.strip().split("\n")[0]
            print(f"  README.md:{line}: {first[:70]:70} {status}")
            if p.returncode != want:
                failures += 1
                print(last_output)
    print(f"check-readme: {ran} examples run; {failures} problem(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

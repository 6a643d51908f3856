#!/usr/bin/env python3
"""Runs the examples of README.md and of every guide in docs/ as written,
and checks what the README promises a new user.

Markers (HTML comments, invisible on GitHub) before a fenced block:

  <!-- check-readme -->               run this sh block; it must exit 0
  <!-- check-readme: exit N -->       run this sh block; it must exit N
  <!-- check-readme: file NAME -->    write this block to NAME (before any
                                      example of its document runs)
  <!-- check-readme: output -->       every line of this block must be a line
                                      of the output (stdout and stderr) of
                                      the block run just before it
  <!-- check-readme: first command --> (README.md only) the two commands'
                                      block: its first line runs as a reader
                                      runs it in the repository (in a
                                      scratch folder inside it, so that its
                                      out/ is not the checks' out/); the
                                      second is the test command itself
  <!-- check-readme: not run: WHY -->  a sh block shown but not run (a
                                      server, data not in the repository,
                                      an install), saying why
  <!-- check-readme: setup -->        (README.md only) a sh block the README
                                      tells the reader to run in the
                                      repository's folder before the
                                      examples, such as putting `hubsel` on
                                      PATH; it runs there, and the examples
                                      run with the environment it leaves

Every ```sh or ```bash block carries one of these markers: a shell example
is either run or says why not. (A plain ``` block is a transcript.)

Nothing else is added to the environment: without a setup block the
examples run with the caller's PATH, so `hubsel` must be found as the
README tells the reader to make it found.

The README's blocks run in order in one scratch folder, so that an example
may use the files an earlier one wrote (as a reader following the README
does). Each guide (docs/*.md) then runs in its own copy of that folder, as
a reader who did the README's worked example and then opened the guide.

Besides the examples:
- links: every relative link and image of README.md, CHANGELOG.md,
  ARCHITECTURE.md and
  docs/*.md names a file of the repository (or, under out/, a file a
  check script writes), and every #anchor a heading of its document;
- prerequisites: the README's "Prerequisites" section names every Debian
  package scripts/test-all.sh and the check scripts install (or tell the
  reader to install), the workspace's rust-version, PyPI when a check
  installs with pip, and the npm registry when one runs `npm ci`;
- size: README.md has at most 400 lines;
- the test command: the README's two commands are one block whose second
  line is what .ci/run runs.

Usage: check_readme.py [--root DIR] [DOC.md ...]   (default: README.md
and every docs/*.md; the README's examples always run first)
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata

MARK = re.compile(r"<!-- check-readme(?::\s*(.*?))?\s*-->")
FENCE = re.compile(r"^```(\w*)\s*$")
README_MAX_LINES = 400  # issue 22: the README is a front page, the guides are the manual
LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)\)")


class Problems:
    def __init__(self):
        self.count = 0

    def add(self, where, message):
        print(f"FAIL {where}: {message}")
        self.count += 1


def blocks(text, name):
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
            sys.exit(f"{name}:{i + 1}: a check-readme marker must be followed by a fenced block")
        k = j + 1
        while k < len(lines) and not lines[k].startswith("```"):
            k += 1
        out.append((directive, f.group(1), "\n".join(lines[j + 1:k]) + "\n", i + 1))
        i = k + 1
    return out


def unmarked_shell_blocks(text):
    """Lines of ```sh / ```bash blocks with no check-readme marker before."""
    out = []
    in_fence = False
    prev = ""
    for i, line in enumerate(text.split("\n"), 1):
        if line.startswith("```"):
            if not in_fence and FENCE.match(line) and FENCE.match(line).group(1) in ("sh", "bash"):
                if not MARK.fullmatch(prev.strip()):
                    out.append(i)
            in_fence = not in_fence
        if line.strip():
            prev = line
    return out


def setup_env(root, readme_blocks, problems):
    """The environment the README's setup blocks leave, run in the
    repository's folder; the caller's own when there is none."""
    env = dict(os.environ)
    for directive, lang, body, line in readme_blocks:
        if directive != "setup":
            continue
        p = subprocess.run(["bash", "-e", "-c", body + "\nenv -0"], cwd=root, env=env,
                           capture_output=True, text=True)
        if p.returncode != 0:
            problems.add(f"README.md:{line}", f"the setup block failed (exit {p.returncode}): {p.stderr.strip()}")
            continue
        env = dict(kv.split("=", 1) for kv in p.stdout.split("\0") if "=" in kv)
        print(f"  README.md:{line}: setup, run in the repository: {body.strip().splitlines()[0]}")
    return env


def first_command(root, body, env):
    """Runs the first line of the two commands' block inside the
    repository, as written; returns (exit status, output, seconds)."""
    first = body.strip().split("\n")[0]
    with tempfile.TemporaryDirectory(dir=root, prefix=".check-readme-") as here:
        start = time.monotonic()
        p = subprocess.run(["bash", "-e", "-c", first], cwd=here, env=env, capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr, time.monotonic() - start


def run_document(name, text, work, env, problems, root=None):
    """Writes the document's files into work, runs its examples there;
    returns how many ran and how many are marked not run."""
    bs = blocks(text, name)
    for line in unmarked_shell_blocks(text):
        problems.add(f"{name}:{line}", "a shell block with no marker: run it (<!-- check-readme -->) "
                     "or say why not (<!-- check-readme: not run: … -->)")
    shown = 0
    for directive, lang, body, line in bs:
        if directive.startswith("file "):
            fname = directive[5:].strip()
            with open(os.path.join(work, fname), "w", encoding="utf-8") as f:
                f.write(body)
            print(f"  {name}:{line}: wrote {fname}")
    ran = 0
    last_output = None
    for directive, lang, body, line in bs:
        where = f"{name}:{line}"
        if directive in ("setup", "first command") and name != "README.md":
            problems.add(where, f"a {directive} block belongs in README.md (the guides follow the README)")
            continue
        if directive.startswith("not run"):
            shown += 1
            if not directive[len("not run"):].strip(" :"):
                problems.add(where, "a not-run block must say why (<!-- check-readme: not run: … -->)")
            continue
        if directive.startswith("file ") or directive == "setup":
            continue
        if directive == "first command":
            code, last_output, secs = first_command(root, body, dict(os.environ))
            ran += 1
            first = body.strip().split("\n")[0]
            print(f"  {where}: {first[:70]:70} {'ok' if code == 0 else f'exit {code}'} ({secs:.1f} s)")
            if code != 0:
                problems.add(where, f"the first command failed (exit {code})")
                print(last_output)
            continue
        if directive == "output":
            if last_output is None:
                problems.add(where, "an output block with no example before it")
                continue
            have = {l.rstrip() for l in last_output.split("\n")}
            missing = [l for l in body.split("\n") if l.strip() and l.rstrip() not in have]
            for l in missing:
                problems.add(where, f"not in the output: {l}")
            if missing:
                print("---- the output was:\n" + last_output + "----")
            continue
        want = 0
        if directive.startswith("exit "):
            want = int(directive[5:])
        elif directive != "run":
            sys.exit(f"{where}: unknown check-readme directive {directive!r}")
        if lang not in ("sh", "bash", "console", ""):
            sys.exit(f"{where}: only sh blocks run, not {lang}")
        p = subprocess.run(["bash", "-o", "pipefail", "-e", "-c", body], cwd=work, env=env,
                           capture_output=True, text=True)
        ran += 1
        last_output = p.stdout + p.stderr
        first = body.strip().split("\n")[0]
        if p.returncode == want:
            print(f"  {where}: {first[:70]:70} ok")
        else:
            print(f"  {where}: {first[:70]:70} exit {p.returncode}")
            problems.add(where, f"exit {p.returncode}, expected {want}")
            print(last_output)
    return ran, shown


def slug(heading):
    """GitHub's anchor for a heading."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = LINK.sub(r"\1", text).strip().lower()
    kept = []
    for c in text:
        cat = unicodedata.category(c)
        if c in " -" or cat[0] in "LMN" or cat == "Pc":
            kept.append(c)
    return "".join(kept).replace(" ", "-")


def anchors(text):
    seen = {}
    out = set()
    in_fence = False
    for line in text.split("\n"):
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if in_fence or not m:
            continue
        s = slug(m.group(1))
        n = seen.get(s, 0)
        seen[s] = n + 1
        out.add(s if n == 0 else f"{s}-{n}")
    return out


def links(text):
    """(line, target) of every link outside code."""
    in_fence = False
    for i, line in enumerate(text.split("\n"), 1):
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        line = re.sub(r"`[^`]*`", lambda m: "x" * len(m.group(0)), line)
        for m in LINK.finditer(line):
            yield i, m.group(2)


def check_links(root, docs, problems):
    scripts = ""
    for s in sorted(glob.glob(os.path.join(root, "scripts", "*"))):
        if os.path.isfile(s):
            scripts += open(s, encoding="utf-8", errors="replace").read()
    checked = 0
    for doc in docs:
        text = open(os.path.join(root, doc), encoding="utf-8").read()
        for line, target in links(text):
            where = f"{doc}:{line}"
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            full = os.path.normpath(os.path.join(root, os.path.dirname(doc), path)) if path else os.path.join(root, doc)
            rel = os.path.relpath(full, root)
            checked += 1
            if rel.startswith(".."):
                problems.add(where, f"{target} points outside the repository")
                continue
            if rel.split(os.sep)[0] == "out":
                # out/ is git-ignored: the checks write their pictures there
                if os.path.basename(rel) not in scripts:
                    problems.add(where, f"{target}: no script in scripts/ writes {os.path.basename(rel)}")
                continue
            if not os.path.exists(full):
                problems.add(where, f"{target}: no such file ({rel})")
                continue
            if anchor and full.endswith(".md"):
                if anchor not in anchors(open(full, encoding="utf-8").read()):
                    problems.add(where, f"{target}: {rel} has no heading #{anchor}")
    return checked


def section(text, title):
    m = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return m.group(1) if m else None


def debian_packages(root):
    """Every Debian package scripts/test-all.sh and the check scripts it
    runs install or tell the reader to install: their `missing+=(…)` lists
    and the literal names after `apt-get install`. (script, package) pairs."""
    found = []
    paths = [os.path.join(root, "scripts", "test-all.sh")]
    paths += sorted(p for p in glob.glob(os.path.join(root, "scripts", "*.sh")) if p not in paths)
    for path in paths:
        text = open(path, encoding="utf-8", errors="replace").read()
        names = []
        for m in re.finditer(r"missing\+=\(([^)]*)\)", text):
            names += m.group(1).split()
        for m in re.finditer(r"apt-get install((?:[ \t]+[^\s\"'()|>&;]+)*)", text):
            names += [w for w in m.group(1).split()
                      if not w.startswith("-") and not any(c in w for c in "$=:")]
        for n in names:
            if n not in [p for _, p in found]:
                found.append((os.path.relpath(path, root), n))
    return found


def check_prerequisites(root, readme, problems):
    """The README's Prerequisites name every Debian package the test
    command installs, the Rust version the workspace asks for, and the
    registries the checks reach."""
    prereq = section(readme, "Prerequisites")
    if prereq is None:
        problems.add("README.md", "no '## Prerequisites' section")
        return
    packages = debian_packages(root)
    if not any(s == os.path.join("scripts", "test-all.sh") for s, _ in packages):
        problems.add("scripts/test-all.sh", "no Debian package list found (missing+=(…)) to check the README against")
    for script, p in packages:
        if f"`{p}`" not in prereq:
            problems.add("README.md", f"Prerequisites: {script} installs `{p}`, the README does not name it")
    cargo_toml = os.path.join(root, "Cargo.toml")
    rust = re.search(r'^rust-version\s*=\s*"([^"]+)"', open(cargo_toml, encoding="utf-8").read(), re.M) \
        if os.path.exists(cargo_toml) else None
    if rust and f"Rust {rust.group(1)}" not in prereq:
        problems.add("README.md", f"Prerequisites: the workspace needs Rust {rust.group(1)} (Cargo.toml rust-version); the README does not say so")
    scripts = " ".join(open(s, encoding="utf-8", errors="replace").read()
                       for s in glob.glob(os.path.join(root, "scripts", "*.sh")))
    needs = []
    if re.search(r"\bpip3?\"?\s+install\b|-m\s+pip\s+install\b", scripts):
        needs.append("PyPI")
    if re.search(r"\bnpm\s+ci\b", scripts):
        needs.append("npm registry")
    for n in needs:
        if n not in prereq:
            problems.add("README.md", f"Prerequisites: a check installs from the {n}; the README does not say it needs {n} access")
    print(f"  prerequisites: the README names the {len(packages)} Debian package(s) the checks install"
          f" ({', '.join(p for _, p in packages)}), {'Rust ' + rust.group(1) + ', ' if rust else ''}"
          f"and {', '.join(needs) or 'no registry'} access")


def check_test_command(root, readme, problems):
    two = section(readme, "Two commands")
    block = re.search(r"```sh\n(.*?)\n```", two or "", re.S)
    if not block:
        problems.add("README.md", "'## Two commands' has no sh block")
        return
    cmds = [l.strip() for l in block.group(1).split("\n") if l.strip()]
    ci_path = os.path.join(root, ".ci", "run")
    ci = open(ci_path, encoding="utf-8").read() if os.path.exists(ci_path) else ""
    execs = re.findall(r"^exec\s+(.+?)\s*$", ci, re.M)
    timings = re.search(r"<!-- timings.*?-->\n((?:.|\n)*?)\n\n", two)
    for which in ("first command", "test command"):
        item = re.search(rf"^- the {which}:((?:.|\n)*?)(?=^- |\Z)", timings.group(1) if timings else "", re.M)
        if not item or not re.search(r"\d+\s*(min|s)\b", item.group(1)):
            problems.add("README.md", f"'## Two commands' does not say how long the {which} takes "
                         "(a '- the " + which + ": …' item with a time, after a <!-- timings --> marker)")
    if len(cmds) != 2:
        problems.add("README.md", f"'## Two commands' shows {len(cmds)} commands, not 2")
    elif execs != [cmds[1]]:
        problems.add("README.md", f"the test command `{cmds[1]}` is not what .ci/run runs ({execs or 'no exec line'})")
    else:
        print(f"  the test command `{cmds[1]}` is what .ci/run runs")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("docs", nargs="*")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    for d in args.docs:
        if not d.endswith(".md") or os.path.isdir(os.path.join(root, d)):
            sys.exit(f"check_readme.py: {d!r} is not a document; it no longer takes a folder to put on PATH: "
                     "`hubsel` is found as the README's setup block says (usage: check_readme.py [--root DIR] [DOC.md ...])")
    guides = sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "docs", "*.md")))
    chosen = [d for d in (args.docs or guides) if os.path.normpath(d) != "README.md"]
    problems = Problems()
    readme = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    total = 0
    with tempfile.TemporaryDirectory() as scratch:
        base = os.path.join(scratch, "readme")
        os.mkdir(base)
        env = setup_env(root, blocks(readme, "README.md"), problems)
        before = problems.count
        n, shown = run_document("README.md", readme, base, env, problems, root)
        print(f"README.md: {n} examples run, {shown} shown but not run (each says why); {problems.count - before} problem(s)")
        total += n
        for i, doc in enumerate(chosen):
            work = os.path.join(scratch, f"doc{i}")
            shutil.copytree(base, work, symlinks=True)
            text = open(os.path.join(root, doc), encoding="utf-8").read()
            before = problems.count
            n, shown = run_document(doc, text, work, env, problems)
            py = text.count("<!-- python-example -->")
            also = f"; {py} Python examples, which python/tests/test_readme.py runs" if py else ""
            print(f"{doc}: {n} examples run, {shown} shown but not run (each says why){also}; {problems.count - before} problem(s)")
            total += n
            shutil.rmtree(work)
    before = problems.count
    linked = ["README.md", "CHANGELOG.md", "ARCHITECTURE.md"] + guides
    n = check_links(root, [d for d in linked if os.path.exists(os.path.join(root, d))], problems)
    print(f"links: {n} relative links checked; {problems.count - before} problem(s)")
    for g in guides:
        if f"({g})" not in readme:
            problems.add("README.md", f"the guide {g} is not linked from the README")
    lines = readme.count("\n")
    if lines > README_MAX_LINES:
        problems.add("README.md", f"{lines} lines: a front page has at most {README_MAX_LINES}; move the detail to a guide in docs/")
    else:
        print(f"  README.md: {lines} lines (at most {README_MAX_LINES})")
    check_prerequisites(root, readme, problems)
    check_test_command(root, readme, problems)
    print(f"check-readme: {total} examples run in {1 + len(chosen)} document(s); {problems.count} problem(s)")
    sys.exit(1 if problems.count else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Tests of scripts/check_readme.py on small made-up repositories: it runs
the examples the way a reader would (hubsel only where the README puts it),
the guides after the README, and finds what a new user would trip on
(a prerequisite not named, a broken link, a test command that is not CI's).

Run: python3 scripts/test_check_readme.py (scripts/check-readme.sh does)."""

import os
import stat
import subprocess
import sys
import tempfile
import textwrap
import unittest

CHECKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_readme.py")
# A PATH without any hubsel on it: the reader's, before following the README.
BARE_PATH = "/usr/bin:/bin"

TEST_ALL = textwrap.dedent("""\
    #!/usr/bin/env bash
    missing=()
    command -v ogrinfo >/dev/null || missing+=(gdal-bin)
    command -v osmium >/dev/null || missing+=(osmium-tool)
    """)
CHECK_PYTHON = "#!/usr/bin/env bash\n.venv-py/bin/pip install -q -r python/requirements.txt\n"
PREREQ = "## Prerequisites\n\nDebian's `gdal-bin` and `osmium-tool`; the Python check needs PyPI.\n\n"
TIMES = ("<!-- timings -->\n- the first command: 2 s;\n- the test command: 21 min 30 s\n  warm.\n\n")
# The first command runs inside the repository (one folder down), as cargo run does.
TWO = ("## Two commands\n\n<!-- check-readme: first command -->\n```sh\ncat ../first.txt\nscripts/test-all.sh\n```\n\n"
       + TIMES + "<!-- check-readme: output -->\n```text\nthe first command's output\n```\n\n")
SETUP = '<!-- check-readme: setup -->\n```sh\nexport PATH="$PWD/target/release:$PATH"\n```\n\n'
EXAMPLE = "<!-- check-readme -->\n```sh\nhubsel greet > greeting.txt\n```\n\n"


def repo(readme, docs=None, test_all=TEST_ALL, scripts=None):
    """A made-up repository with a fake `hubsel` in target/release."""
    root = tempfile.mkdtemp(prefix="check-readme-test-")
    for d in ("docs", "scripts", ".ci", "target/release"):
        os.makedirs(os.path.join(root, d))
    files = {
        "README.md": readme,
        "CHANGELOG.md": "# Changelog\n",
        "first.txt": "the first command's output\n",
        "scripts/test-all.sh": test_all,
        "scripts/check-python.sh": CHECK_PYTHON,
        ".ci/run": "#!/usr/bin/env bash\nexec scripts/test-all.sh\n",
        "target/release/hubsel": "#!/bin/sh\necho \"hello from hubsel: $*\"\n",
    }
    files.update({f"docs/{k}": v for k, v in (docs or {}).items()})
    files.update({f"scripts/{k}": v for k, v in (scripts or {}).items()})
    for name, text in files.items():
        with open(os.path.join(root, name), "w", encoding="utf-8") as f:
            f.write(text)
    hubsel = os.path.join(root, "target/release/hubsel")
    os.chmod(hubsel, os.stat(hubsel).st_mode | stat.S_IEXEC)
    return root


def check(root):
    env = dict(os.environ, PATH=BARE_PATH)
    p = subprocess.run([sys.executable, CHECKER, "--root", root], env=env,
                       capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


class CheckReadme(unittest.TestCase):
    def test_hubsel_is_not_put_on_path_unless_the_readme_says_so(self):
        # The old checker prepended target/release to PATH: this passed
        # although a reader typing `hubsel` got "command not found".
        code, out = check(repo("# x\n\n" + PREREQ + TWO + EXAMPLE))
        self.assertEqual(code, 1, out)
        self.assertIn("README.md:", out)
        self.assertIn("exit 127, expected 0", out)
        self.assertIn("hubsel: command not found", out)

    def test_the_readmes_own_path_instruction_is_followed(self):
        code, out = check(repo("# x\n\n" + PREREQ + TWO + SETUP + EXAMPLE))
        self.assertEqual(code, 0, out)
        self.assertIn("setup, run in the repository: export PATH=", out)
        self.assertIn("README.md: 2 examples run, 0 shown but not run (each says why); 0 problem(s)", out)

    def test_a_guide_runs_after_the_readme_in_a_copy_of_its_folder(self):
        guide = ("# guide\n\n<!-- check-readme -->\n```sh\ncat greeting.txt\ntouch mine\n```\n\n"
                 "<!-- check-readme: output -->\n```text\nhello from hubsel: greet\n```\n")
        other = "# other\n\n<!-- check-readme: exit 1 -->\n```sh\ntest -e mine\n```\n"
        readme = "# x\n\n[g](docs/g.md) [o](docs/o.md)\n\n" + PREREQ + TWO + SETUP + EXAMPLE
        code, out = check(repo(readme, docs={"g.md": guide, "o.md": other}))
        self.assertEqual(code, 0, out)
        self.assertIn("docs/g.md: 1 examples run, 0 shown but not run (each says why); 0 problem(s)", out)
        self.assertIn("docs/o.md: 1 examples run, 0 shown but not run (each says why); 0 problem(s)", out)

    def test_a_wrong_output_line_in_a_guide_is_a_problem(self):
        guide = ("# guide\n\n<!-- check-readme -->\n```sh\nhubsel run\n```\n\n"
                 "<!-- check-readme: output -->\n```text\nhello from hubsel: walk\n```\n")
        readme = "# x\n\n[g](docs/g.md)\n\n" + PREREQ + TWO + SETUP
        code, out = check(repo(readme, docs={"g.md": guide}))
        self.assertEqual(code, 1, out)
        self.assertIn("FAIL docs/g.md:8: not in the output: hello from hubsel: walk", out)

    def test_a_debian_package_test_all_installs_must_be_a_prerequisite(self):
        prereq = "## Prerequisites\n\nDebian's `gdal-bin`; the Python check needs PyPI.\n\n"
        code, out = check(repo("# x\n\n" + prereq + TWO + SETUP))
        self.assertEqual(code, 1, out)
        self.assertIn("scripts/test-all.sh installs `osmium-tool`, the README does not name it", out)

    def test_a_package_a_check_script_installs_itself_must_be_a_prerequisite(self):
        # check-python.sh installed python3-venv mid-run, named nowhere.
        venv = "#!/usr/bin/env bash\npython3 -m venv v || apt-get install -y -qq python3-venv >/dev/null\n"
        code, out = check(repo("# x\n\n" + PREREQ + TWO + SETUP, scripts={"check-venv.sh": venv}))
        self.assertEqual(code, 1, out)
        self.assertIn("scripts/check-venv.sh installs `python3-venv`, the README does not name it", out)
        self.assertNotIn("`-y`", out)

    def test_pypi_access_must_be_a_prerequisite_when_a_check_uses_pip(self):
        prereq = "## Prerequisites\n\nDebian's `gdal-bin` and `osmium-tool`.\n\n"
        code, out = check(repo("# x\n\n" + prereq + TWO + SETUP))
        self.assertEqual(code, 1, out)
        self.assertIn("installs from the PyPI", out)

    def test_no_package_list_in_test_all_is_a_problem_not_a_silent_pass(self):
        code, out = check(repo("# x\n\n" + PREREQ + TWO + SETUP, test_all="#!/usr/bin/env bash\n"))
        self.assertEqual(code, 1, out)
        self.assertIn("no Debian package list found", out)

    def test_broken_links_and_anchors_are_problems(self):
        guide = "# guide\n\n## Real data\n\nsee [it](#real-data), [no](#nowhere), [img](img/x.png)\n"
        readme = ("# x\n\n[g](docs/g.md#real-data) [h](docs/g.md#gone) [pic](out/pic.png)\n\n"
                  + PREREQ + TWO + SETUP)
        code, out = check(repo(readme, docs={"g.md": guide}))
        self.assertEqual(code, 1, out)
        self.assertIn("docs/g.md#gone: docs/g.md has no heading #gone", out)
        self.assertIn("#nowhere: docs/g.md has no heading #nowhere", out)
        self.assertIn("img/x.png: no such file (docs/img/x.png)", out)
        self.assertIn("out/pic.png: no script in scripts/ writes pic.png", out)
        self.assertNotIn("#real-data:", out)

    def test_every_guide_is_linked_from_the_readme(self):
        code, out = check(repo("# x\n\n" + PREREQ + TWO + SETUP, docs={"lost.md": "# lost\n"}))
        self.assertEqual(code, 1, out)
        self.assertIn("the guide docs/lost.md is not linked from the README", out)

    def test_the_test_command_must_be_what_ci_runs(self):
        two = "## Two commands\n\n```sh\nmake-it run\nmake test\n```\n\n" + TIMES
        code, out = check(repo("# x\n\n" + PREREQ + two + SETUP))
        self.assertEqual(code, 1, out)
        self.assertIn("the test command `make test` is not what .ci/run runs", out)

    def test_the_first_command_runs_in_the_repository_and_its_output_is_checked(self):
        root = repo("# x\n\n" + PREREQ + TWO + SETUP)
        code, out = check(root)
        self.assertEqual(code, 0, out)
        self.assertIn("cat ../first.txt", out)
        with open(os.path.join(root, "first.txt"), "w", encoding="utf-8") as f:
            f.write("something else\n")
        code, out = check(root)
        self.assertEqual(code, 1, out)
        self.assertIn("not in the output: the first command's output", out)
        os.remove(os.path.join(root, "first.txt"))
        code, out = check(root)
        self.assertIn("the first command failed (exit 1)", out)

    def test_the_readme_says_how_long_each_command_takes(self):
        two = TWO.replace("- the test command: 21 min 30 s\n  warm.\n", "- the test command: a while.\n")
        code, out = check(repo("# x\n\n" + PREREQ + two + SETUP))
        self.assertEqual(code, 1, out)
        self.assertIn("does not say how long the test command takes", out)
        self.assertNotIn("how long the first command", out)

    def test_a_shell_block_is_run_or_says_why_not(self):
        guide = ("# guide\n\n```sh\nhubsel serve\n```\n\n<!-- check-readme: not run -->\n```sh\nhubsel serve\n```\n\n"
                 "<!-- check-readme: not run: a server, it stops on Ctrl-C -->\n```sh\nhubsel serve\n```\n\n"
                 "```\n$ a transcript is not an example\n```\n")
        readme = "# x\n\n[g](docs/g.md)\n\n" + PREREQ + TWO + SETUP
        code, out = check(repo(readme, docs={"g.md": guide}))
        self.assertEqual(code, 1, out)
        self.assertIn("FAIL docs/g.md:3: a shell block with no marker", out)
        self.assertIn("FAIL docs/g.md:7: a not-run block must say why", out)
        self.assertIn("docs/g.md: 0 examples run, 2 shown but not run (each says why); 2 problem(s)", out)

    def test_a_readme_over_400_lines_is_a_problem(self):
        code, out = check(repo("# x\n\n" + PREREQ + TWO + SETUP + "text\n" * 400))
        self.assertEqual(code, 1, out)
        self.assertIn("lines: a front page has at most 400", out)

    def test_thai_headings_have_githubs_anchors(self):
        sys.path.insert(0, os.path.dirname(CHECKER))
        import check_readme

        self.assertEqual(check_readme.slug("สำหรับนักวางแผน"), "สำหรับนักวางแผน")
        self.assertEqual(check_readme.slug("Region-wide models: `group_by`"), "region-wide-models-group_by")
        self.assertEqual(check_readme.slug("The workbench: `hubsel serve`"), "the-workbench-hubsel-serve")


if __name__ == "__main__":
    unittest.main(verbosity=1)

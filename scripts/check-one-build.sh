#!/usr/bin/env bash
# New-user point 2 (issue 22): the README's first command builds the binary
# (`cargo build --release -p hubsel-cli`, as `cargo run --release -p
# hubsel-cli` does); the test command's build (`cargo test --workspace
# --release`) must then compile no crate of the first build again, neither a
# third-party one nor hubsel's own libraries (only their test builds are
# new). Cargo compiles a crate again when the features asked of it differ
# between the two builds; crates/workspace-hack asks every member's union of
# them, so they agree, and the tests' oracles are a crate of their own
# (crates/hubsel-testkit), not features of the libraries.
#
# Both builds are asked for their units (`--message-format=json`, which
# builds what is missing, normally nothing: the gate has built both); each
# unit of the first build (its package and target) must be the very same
# artifact in the second (same file names: cargo puts a hash of the
# features and profile in them). Exit 1, naming each crate that would be
# compiled twice.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "check-one-build: the units of \`cargo build --release -p hubsel-cli\` and of \`cargo test --workspace --release --no-run\`"
cargo build --release -p hubsel-cli --message-format=json >"$work/first.json"
cargo test --workspace --release --no-run --message-format=json >"$work/second.json"
python3 - "$work/first.json" "$work/second.json" <<'PY'
import json, sys

def units(path):
    """(package, target kind, target name, opt level, test) -> artifact file
    names; `own` tells hubsel's path packages from third-party ones."""
    out = {}
    for line in open(path):
        if not line.startswith("{"):
            continue
        m = json.loads(line)
        if m.get("reason") != "compiler-artifact":
            continue
        pkg = m["package_id"]
        # The optimisation level tells build-time units (build scripts,
        # proc-macros and their dependencies: 0) from the program's (3),
        # which cargo always compiles apart.
        key = (pkg, ",".join(m["target"]["kind"]), m["target"]["name"], m["profile"]["opt_level"], m["profile"]["test"])
        out.setdefault(key, set()).update(m["filenames"])
    return out

first, second = units(sys.argv[1]), units(sys.argv[2])
again = []
for key, files in sorted(second.items()):
    if key in first and not files <= first[key]:
        name = key[0].split("#")[-1]
        again.append(f"  {name} ({key[1]} {key[2]}): the test build wants {sorted(files - first[key])}")
own = lambda k: k[0].startswith("path+")
shared = [k for k in second if k in first]
if again:
    print(f"check-one-build: {len(again)} unit(s) of the first build would be compiled again by the test build (features or profile differ; for a third-party crate add the missing features to crates/workspace-hack/Cargo.toml; for hubsel's own, a dev-dependency turns on a feature the first build leaves off):", file=sys.stderr)
    print("\n".join(again), file=sys.stderr)
    sys.exit(1)
theirs = len([k for k in shared if not own(k)])
ours = len([k for k in shared if own(k)])
print(f"check-one-build: the test build reuses all {theirs} third-party units and all {ours} of hubsel's own units of the first build ({len(second) - len(shared)} more for the tests only)")
PY

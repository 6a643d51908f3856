#!/usr/bin/env bash
# Zips the QGIS Processing plugin (qgis-plugin/hubsel_processing) into
# out/hubsel_processing.zip, installable through QGIS's plugin manager
# (Plugins > Manage and Install Plugins > Install from ZIP). The shipped
# default scenario goes in beside the code, so that the plugin's settings
# apply to the same scenario `hubsel run` uses by default.
# Usage: scripts/package-qgis-plugin.sh [ZIP]
set -euo pipefail
cd "$(dirname "$0")/.."
zip_path=${1:-out/hubsel_processing.zip}
case "$zip_path" in /*) ;; *) zip_path="$PWD/$zip_path" ;; esac
mkdir -p "$(dirname "$zip_path")"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/hubsel_processing"
# Only the plugin's own files: no caches.
for f in qgis-plugin/hubsel_processing/*; do
    case "$f" in *__pycache__*|*.pyc) continue ;; esac
    cp "$f" "$stage/hubsel_processing/"
done
cp fixtures/scenario-default.toml "$stage/hubsel_processing/scenario-default.toml"
rm -f "$zip_path"
python3 - "$stage" "$zip_path" <<'PY'
import os, sys, zipfile
stage, out = sys.argv[1], sys.argv[2]
# Fixed timestamps and order: the same sources give the same zip.
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk(stage):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            info = zipfile.ZipInfo(os.path.relpath(path, stage), date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as f:
                z.writestr(info, f.read())
PY
echo "wrote $zip_path"

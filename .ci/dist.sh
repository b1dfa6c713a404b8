#!/usr/bin/env bash
# One release archive of the command line: builds the `atlas-backup` binary for TARGET with
# the workspace's `dist` profile, runs its `--help`, packs it with the licence and the
# command line's readme (.tar.gz; .zip for Windows) as atlas-backup-VERSION-TARGET, and
# writes the archive's SHA-256 beside it (`<archive>.sha256`, as `sha256sum --check` reads).
#
#   bash .ci/dist.sh TARGET [OUT_DIR]      (OUT_DIR default: target/dist)
#
# The release workflow (.github/workflows/release.yml) runs it on each target's own runner,
# so the binary's `--help` runs everywhere; by hand it checks the Linux steps:
#   bash .ci/dist.sh x86_64-unknown-linux-gnu
# With RELEASE_TAG set (the workflow sets the pushed tag), the tag must be `v` and the
# crates' version, or nothing is built.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:?usage: .ci/dist.sh TARGET [OUT_DIR]}"
out="${2:-target/dist}"

# The version of the generated crates, as their manifest says (both carry the same one).
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' generated/cli/Cargo.toml | head -n 1)"
if [ -z "$version" ]; then
  echo "dist: no version in generated/cli/Cargo.toml" >&2
  exit 1
fi
if [ -n "${RELEASE_TAG:-}" ] && [ "$RELEASE_TAG" != "v$version" ]; then
  echo "dist: tag $RELEASE_TAG is not v$version, the version of generated/cli/Cargo.toml" >&2
  exit 1
fi

exe=atlas-backup
case "$target" in *windows*) exe=atlas-backup.exe ;; esac

cargo build --locked --profile dist --package atlas-backup-cli --bin atlas-backup --target "$target"
binary="target/$target/dist/$exe"
"$binary" --help

name="atlas-backup-$version-$target"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" "$out"
cp "$binary" LICENSE "$stage/$name/"
cp generated/cli/README.md "$stage/$name/README.md"
case "$target" in
  *windows*)
    archive="$name.zip"
    # 7-Zip is on GitHub's Windows runners; zip(1) is not.
    (cd "$stage" && 7z a -tzip -bso0 "$archive" "$name")
    ;;
  *)
    archive="$name.tar.gz"
    tar -C "$stage" -czf "$stage/$archive" "$name"
    ;;
esac
mv "$stage/$archive" "$out/"

# sha256sum on Linux and Windows (Git Bash), shasum on macOS: the same "HASH  NAME" line.
if command -v sha256sum >/dev/null 2>&1; then
  (cd "$out" && sha256sum "$archive" >"$archive.sha256")
else
  (cd "$out" && shasum -a 256 "$archive" >"$archive.sha256")
fi
echo "dist: $out/$archive ($(wc -c <"$out/$archive") bytes), $out/$archive.sha256"

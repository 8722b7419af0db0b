#!/usr/bin/env bash
# Builds the Pulumi CLI from its Go module, once per version, into a cache.
#
#   build-pulumi.sh <wanted-version> <cache-dir>
#
# Prints the path of the `pulumi` binary on stdout; progress goes to stderr.
# The CLI cannot be downloaded here, but its Go module can: a throwaway module
# requires pkg/v3 and sdk/v3 at one release and builds cmd/pulumi with the
# release flags. When the wanted release is not served by the module proxy the
# nearest older one is used (never older than 3.216, the first engine that
# takes refreshed inputs from a dynamic provider's read).
set -euo pipefail

wanted=${1:?usage: build-pulumi.sh <version> <cache-dir>}
cache=${2:?usage: build-pulumi.sh <version> <cache-dir>}
oldest_minor=216

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

mkdir -p "$cache"
resolved_file="$cache/resolved-$wanted"
if [ -f "$resolved_file" ]; then
  version=$(cat "$resolved_file")
  if [ -x "$cache/v$version/bin/pulumi" ]; then
    echo "$cache/v$version/bin/pulumi"
    exit 0
  fi
fi

command -v go >/dev/null 2>&1 ||
  die "Go is not installed, and it is needed once to build the Pulumi CLI; install Go >= 1.25.11 (or put pulumi >= 3.216 on PATH)."
go_version=$(go env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n%s\n' 1.25.11 "$go_version" | sort -V | head -n1)" != 1.25.11 ]; then
  die "Go $go_version is too old to build the Pulumi CLI; install Go >= 1.25.11 (or put pulumi >= 3.216 on PATH)."
fi
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

work=$(mktemp -d "${TMPDIR:-/tmp}/pulumi-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# Finds the newest served release at or below the wanted one.
major=${wanted%%.*}; rest=${wanted#*.}; minor=${rest%%.*}
version=""
for ((m = minor; m >= oldest_minor; m--)); do
  candidate="$major.$m.0"
  [ "$m" = "$minor" ] && candidate=$wanted
  if go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$candidate" >"$work/probe.json" 2>/dev/null &&
     ! grep -q '"Error"' "$work/probe.json"; then
    version=$candidate
    break
  fi
done
[ -n "$version" ] ||
  die "the Go module proxy serves no release of github.com/pulumi/pulumi/pkg/v3 between 3.$oldest_minor and $wanted; put pulumi >= 3.216 on PATH instead."
[ "$version" = "$wanted" ] || say "Pulumi $wanted is not served by the Go module proxy; building the nearest release, $version."

bin="$cache/v$version/bin"
if [ ! -x "$bin/pulumi" ]; then
  say "Building the Pulumi CLI v$version from its Go module (once; several minutes on 2 cores)..."
  cat >go.mod <<MOD
module local.invalid/pulumi-build

go 1.25.11
MOD
  # Only the non-path replace of pkg/go.mod applies outside the Pulumi repo;
  # its directory replaces are stood in for by requiring the same release.
  pkg_dir=$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  grep -E '^replace [^ ]+ => [^.][^ ]* v[^ ]+$' "$pkg_dir/go.mod" >>go.mod || true
  say "  resolving modules..."
  go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version" 2>&1 |
    grep -v -e 'retracted by module author' -e 'to switch to the latest' -e 'go get .*@latest' \
      -e '^go: added ' -e '^go: upgraded ' -e '^go: downloading ' >&2 || true
  go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$version" 2>/dev/null ||
    die "go could not resolve the Pulumi CLI v$version (see the messages above)."
  say "  downloading and compiling (progress every 15 s)..."
  mkdir -p "$work/out"
  started=$(date +%s)
  if ! go build -v -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
      -o "$work/out/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi 2>"$work/build.log" \
      < /dev/null; then
    tail -n 20 "$work/build.log" >&2
    die "building the Pulumi CLI v$version failed (messages above)."
  fi &
  build_pid=$!
  while kill -0 "$build_pid" 2>/dev/null; do
    sleep 15
    say "  ... $(wc -l <"$work/build.log") packages compiled, $(( $(date +%s) - started ))s"
  done
  wait "$build_pid"
  mkdir -p "$bin"
  mv "$work/out/pulumi" "$bin/pulumi"
  say "Built $("$bin/pulumi" version) in $(( $(date +%s) - started ))s."
fi
echo "$version" >"$resolved_file"
echo "$bin/pulumi"

#!/usr/bin/env bash
# Generates the Python, Go and .NET SDKs of both native providers from their
# package schemas with Pulumi's own code generators (Go packages of
# github.com/pulumi/pulumi/pkg/v3, built once into the cache by this script).
#
#   gen-sdks.sh <out-root>     writes <out-root>/{python,go,dotnet}/...
#
# Needs Node (dist/ built) and Go. `npm run generate-sdks` runs it on sdk/;
# test/e2e/sdks.test.ts runs it on a temporary directory and compares.
set -euo pipefail

out=${1:?usage: gen-sdks.sh <out-root>}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${PULUMI_AI_GATEWAY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-ai-gateway}
# The release of the CLI the toolchain builds (its compiled packages are then in Go's build cache).
codegen_version=3.260.0
# The C# generator moved to pulumi-dotnet, which the module proxy does not serve; the newest served release that has it.
dotnet_codegen_version=3.225.1

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
command -v go >/dev/null 2>&1 || die "Go is needed to build Pulumi's code generators; install Go >= 1.25."
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

# Builds scripts/sdkgen/<name> against pkg/v3@<version> (once per version and source) and prints the binary's path.
build_generator() {
  local name=$1 version=$2 source="$root/scripts/sdkgen/$1/main.go" common="$root/scripts/sdkgen/common.go" key bin work pkg_dir
  key=$(cat "$source" "$common" | sha256sum | cut -c1-12)
  bin="$cache/sdkgen/$name-v$version-$key"
  if [ ! -x "$bin" ]; then
    say "Building Pulumi's $name code generator (pkg v$version) from its Go module (once)..."
    work=$(mktemp -d "${TMPDIR:-/tmp}/sdkgen.XXXXXX")
    cp "$source" "$work/main.go" && cp "$common" "$work/common.go"
    printf 'module local.invalid/sdkgen\n\ngo 1.25\n' >"$work/go.mod"
    # As in build-pulumi.sh: the non-path replaces of pkg/go.mod apply to its users too.
    pkg_dir=$(cd "$work" && go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    grep -E '^replace [^ ]+ => [^.][^ ]* v[^ ]+$' "$pkg_dir/go.mod" >>"$work/go.mod" || true
    (cd "$work" && go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version" 2>/dev/null &&
      go mod tidy 2>/dev/null &&
      go build -trimpath -tags osusergo,grpcnotrace -o "$work/sdkgen" .) ||
      { rm -rf "$work"; die "building the $name code generator failed"; }
    mkdir -p "$(dirname "$bin")"
    mv "$work/sdkgen" "$bin.tmp.$$" && mv -f "$bin.tmp.$$" "$bin"
    rm -rf "$work"
  fi
  printf '%s\n' "$bin"
}

current=$(build_generator current "$codegen_version")
dotnet=$(build_generator dotnet "$dotnet_codegen_version")

schemas=$(mktemp -d "${TMPDIR:-/tmp}/sdk-schemas.XXXXXX")
trap 'rm -rf "$schemas"' EXIT
go_module=$(node "$root/dist/scripts/sdk-schemas.js" "$schemas")

rm -rf "$out/python" "$out/go" "$out/dotnet"
for schema in "$schemas"/*.json; do
  vendor=$(basename "$schema" .json)
  "$current" python "$schema" "$out/python/$vendor"
  # pyproject.toml names README.md beside it as the package's description; the generator writes it into the package.
  cp "$out/python/$vendor"/pulumi_*/README.md "$out/python/$vendor/README.md"
  "$current" go "$schema" "$out/go"
  "$dotnet" "$schema" "$out/dotnet/$vendor" "$root/sdk/assets/logo.png"
done
# One Go module holds every vendor's package; its requirements are the Pulumi Go SDK's at the generators' release.
printf 'module %s\n\ngo 1.22\n\nrequire github.com/pulumi/pulumi/sdk/v3 v%s\n' "$go_module" "$codegen_version" >"$out/go/go.mod"
(cd "$out/go" && go mod tidy 2>"$schemas/tidy.log") || { cat "$schemas/tidy.log" >&2; die "go mod tidy failed in $out/go"; }
say "Wrote the Python, Go and .NET SDKs under $out (from pkg v$codegen_version; .NET from v$dotnet_codegen_version)."

#!/usr/bin/env bash
# Entry point of every npm script. npm may be running on the machine's older
# Node; this script sets up the toolchain first and then runs the real work
# under Node >= 22 with the offline Pulumi environment.
set -euo pipefail
TC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$TC_ROOT/scripts/lib/toolchain.sh"
cd "$TC_ROOT"

command=${1:-}
shift || true

build() {
  # From scratch into a fresh directory (output of moved or deleted sources must not linger and be
  # packed), then swapped into dist/ file by file: an emulator, demo or test running from dist/
  # meanwhile never finds a file missing (see scripts/lib/replace-tree.js).
  local fresh
  mkdir -p .tooling
  fresh=$(mktemp -d "$TC_ROOT/.tooling/dist.XXXXXX")
  if ! node node_modules/typescript/bin/tsc -p tsconfig.json --outDir "$fresh"; then
    rm -rf "$fresh"
    tc_die "the TypeScript build failed (errors above)."
  fi
  node scripts/lib/replace-tree.js "$fresh" dist
}

case "$command" in
  test)
    tc_prepare
    tc_ensure_yaml_host
    export PULUMI_AI_GATEWAY_YAML_HOST="$TC_YAML_HOST"
    build
    exec node node_modules/jest/bin/jest.js "$@"
    ;;
  demo)
    tc_prepare
    build
    exec node dist/scripts/demo.js "$@"
    ;;
  build)
    tc_ensure_node
    export PATH="$(dirname "$TC_NODE"):$PATH"
    tc_ensure_deps
    build
    ;;
  generate)
    # SDK classes and the reference pages of docs/ from the resource declarations (see scripts/generate.ts).
    tc_ensure_node
    export PATH="$(dirname "$TC_NODE"):$PATH"
    tc_ensure_deps
    build
    node dist/scripts/generate.js
    build
    ;;
  generate-sdks)
    # The Python, Go and .NET SDKs (sdk/python, sdk/go, sdk/dotnet) from the plugins' schemas (see scripts/gen-sdks.sh).
    tc_ensure_node
    export PATH="$(dirname "$TC_NODE"):$PATH"
    tc_ensure_deps
    build
    bash scripts/gen-sdks.sh sdk
    ;;
  emulator)
    tc_ensure_node
    export PATH="$(dirname "$TC_NODE"):$PATH"
    tc_ensure_deps
    build
    exec node dist/emulator/cli.js "$@"
    ;;
  bench)
    tc_prepare
    build
    exec node "dist/bench/${1:?usage: npm run bench -- <name>}.js" "${@:2}"
    ;;
  release)
    # Every artifact of this version in one folder, checked to agree (see scripts/release.ts).
    tc_prepare
    build
    exec node dist/scripts/release.js "$@"
    ;;
  shellenv)
    # Progress goes to stderr; stdout is only the lines for eval.
    tc_prepare
    tc_ensure_yaml_host
    printf 'export PATH=%q\n' "$PATH"
    printf 'export PULUMI_AI_GATEWAY_YAML_HOST=%q\n' "$TC_YAML_HOST"
    for name in PULUMI_SKIP_UPDATE_CHECK PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION \
        PULUMI_DISABLE_REGISTRY_RESOLVE PULUMI_SKIP_CONFIRMATIONS; do
      printf 'export %s=%q\n' "$name" "${!name}"
    done
    mkdir -p "$TC_ROOT/.tooling/state"
    printf 'export PULUMI_BACKEND_URL=%q\n' "${PULUMI_BACKEND_URL:-file://$TC_ROOT/.tooling/state}"
    printf 'export PULUMI_CONFIG_PASSPHRASE=%q\n' "${PULUMI_CONFIG_PASSPHRASE-}"
    ;;
  *)
    tc_die "unknown command '$command'; use test, demo, build, generate, emulator, bench, release or shellenv."
    ;;
esac

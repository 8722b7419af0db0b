# Shared set-up for every npm script: finds or installs Node >= 22, installs the
# npm dependencies, finds or builds the Pulumi CLI, and exports the variables
# that keep the engine offline. Sourced by scripts/run.sh; prints progress on
# stderr and, on failure, one line saying what is missing and how to fix it.

TC_ROOT=${TC_ROOT:?TC_ROOT must be set to the package root}
TC_CACHE=${PULUMI_AI_GATEWAY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-ai-gateway}
TC_MIN_NODE_MAJOR=22
TC_NODE_PACKAGE_MAJOR=24
# 3.216 is the first engine that takes refreshed inputs from a dynamic provider's read.
TC_MIN_PULUMI=3.216.0
TC_BIN="$TC_ROOT/.tooling/bin"
# The YAML language host the tests run YAML programs with (a real CLI ships its own).
TC_YAML_HOST_VERSION=1.25.0

tc_say() { printf '%s\n' "$*" >&2; }
tc_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# True when version $1 >= version $2 (dotted numbers, no leading v).
tc_version_ge() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

tc_node_major() {
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

tc_ensure_node() {
  local candidate major cached="$TC_CACHE/node-$TC_NODE_PACKAGE_MAJOR/node_modules/node/bin/node"
  # Never our own .tooling/bin/node (a link to what this function chose last time):
  # linking it to itself would make a loop.
  if candidate=$(PATH=$(tc_path_without_tooling) command -v node 2>/dev/null); then
    candidate=$(readlink -f "$candidate")
    major=$(tc_node_major "$candidate")
    if [ "$major" -ge "$TC_MIN_NODE_MAJOR" ]; then
      TC_NODE="$candidate"
      return
    fi
  fi
  if [ ! -x "$cached" ]; then
    command -v npm >/dev/null 2>&1 ||
      tc_die "Node >= $TC_MIN_NODE_MAJOR is not on PATH and npm is missing, so it cannot be installed; install Node $TC_MIN_NODE_MAJOR or newer."
    tc_say "Installing Node $TC_NODE_PACKAGE_MAJOR from the npm registry into $TC_CACHE (once; this machine has Node ${major:-none})..."
    local staging="$TC_CACHE/node-$TC_NODE_PACKAGE_MAJOR.partial"
    rm -rf "$staging" && mkdir -p "$staging"
    if ! npm install --prefix "$staging" --no-audit --no-fund --no-save --loglevel=error \
        "node@$TC_NODE_PACKAGE_MAJOR" >"$staging.log" 2>&1; then
      tc_die "installing Node $TC_NODE_PACKAGE_MAJOR with npm failed (log: $staging.log); check that the npm registry is reachable."
    fi
    rm -rf "$TC_CACHE/node-$TC_NODE_PACKAGE_MAJOR"
    mv "$staging" "$TC_CACHE/node-$TC_NODE_PACKAGE_MAJOR"
  fi
  [ "$(tc_node_major "$cached")" -ge "$TC_MIN_NODE_MAJOR" ] ||
    tc_die "the cached Node at $cached does not run; delete $TC_CACHE/node-$TC_NODE_PACKAGE_MAJOR and retry."
  TC_NODE=$(readlink -f "$cached")
}

# Installs node_modules when they are missing or older than the lock file.
tc_ensure_deps() {
  local stamp="$TC_ROOT/node_modules/.installed-lock-sha" want
  want=$(cat "$TC_ROOT/package.json" "$TC_ROOT/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return
  fi
  tc_say "Installing npm dependencies..."
  # `npm install` rather than `npm ci`: npm 11 leaves other platforms'
  # optional packages out of the lock file and `npm ci` then refuses it.
  local log="$TC_CACHE/npm-install.log"
  mkdir -p "$TC_CACHE"
  if ! (cd "$TC_ROOT" && npm install --no-audit --no-fund --loglevel=error >"$log" 2>&1); then
    tail -n 20 "$log" >&2
    tc_die "npm install failed (full log: $log)."
  fi
  echo "$want" >"$stamp"
}

tc_pulumi_version_of() {
  "$1" version 2>/dev/null | sed -n 's/^v\{0,1\}\([0-9][0-9.]*\).*/\1/p' | head -n1
}

# Uses pulumi from PATH when recent enough; otherwise the cached or freshly
# built CLI matching the installed @pulumi/pulumi (or the nearest release the
# Go module proxy serves).
tc_ensure_pulumi() {
  local candidate version
  if candidate=$(PATH=$(tc_path_without_tooling) command -v pulumi 2>/dev/null); then
    candidate=$(readlink -f "$candidate")
    version=$(tc_pulumi_version_of "$candidate")
    if [ -n "$version" ] && tc_version_ge "$version" "$TC_MIN_PULUMI"; then
      TC_PULUMI="$candidate"
      return
    fi
    tc_say "Ignoring pulumi ${version:-of unknown version} at $candidate: version $TC_MIN_PULUMI or newer is needed."
  fi
  local sdk_version
  sdk_version=$("$TC_NODE" -p 'require(process.argv[1]).version' "$TC_ROOT/node_modules/@pulumi/pulumi/package.json") ||
    tc_die "cannot read the installed @pulumi/pulumi version; run npm install."
  TC_PULUMI=$(bash "$TC_ROOT/scripts/build-pulumi.sh" "$sdk_version" "$TC_CACHE/pulumi") || exit 1
}

# Finds pulumi-language-yaml (beside the CLI, or on PATH), or builds the
# released host from its Go module once into the cache. Only what runs YAML
# programs needs it (the tests), so the demo never waits for it. Sets
# TC_YAML_HOST; without Go it says why and leaves it empty.
tc_ensure_yaml_host() {
  local pulumi_dir dir="$TC_CACHE/pulumi-language-yaml-v$TC_YAML_HOST_VERSION"
  pulumi_dir=$(dirname "$(readlink -f "$TC_PULUMI")")
  TC_YAML_HOST=""
  case "$pulumi_dir" in
    "$TC_CACHE"/*) ;;
    *)
      # A CLI installed by the user ships its language hosts.
      if [ -x "$pulumi_dir/pulumi-language-yaml" ]; then TC_YAML_HOST="$pulumi_dir/pulumi-language-yaml"; return; fi
      ;;
  esac
  if [ ! -x "$dir/pulumi-language-yaml" ]; then
    if ! command -v go >/dev/null 2>&1; then
      tc_say "Go is not installed, so the YAML language host cannot be built: tests of YAML programs will say they skipped."
      return
    fi
    tc_say "Building the Pulumi YAML language host v$TC_YAML_HOST_VERSION from its Go module (once; a few minutes)..."
    local log="$TC_CACHE/pulumi-language-yaml.log"
    rm -rf "$dir.partial" && mkdir -p "$dir.partial"
    if ! GOBIN="$dir.partial" GOTOOLCHAIN=local GOFLAGS=-mod=mod \
        go install "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v$TC_YAML_HOST_VERSION" >"$log" 2>&1 </dev/null; then
      tail -n 20 "$log" >&2
      tc_say "building the YAML language host failed (log: $log): tests of YAML programs will say they skipped."
      return
    fi
    rm -rf "$dir" && mv "$dir.partial" "$dir"
  fi
  TC_YAML_HOST="$dir/pulumi-language-yaml"
  # The engine looks for language hosts beside its own binary first.
  case "$pulumi_dir" in
    "$TC_CACHE"/*) tc_copy "$TC_YAML_HOST" "$pulumi_dir" ;;
    *) tc_link "$TC_YAML_HOST" "$TC_BIN/pulumi-language-yaml" ;;
  esac
}

tc_path_without_tooling() {
  printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$TC_BIN" | paste -sd: -
}

# Points $2 at $1 unless it already does. Other processes may be running these
# tools (a test calling shellenv while tests run), so nothing is ever removed
# and re-made when it is already right, and changes are atomic renames.
tc_link() {
  [ "$(readlink "$2" 2>/dev/null)" = "$1" ] && return
  ln -sfn "$1" "$2.tmp.$$" && mv -fT "$2.tmp.$$" "$2"
}

# Copies $1 into directory $2 unless an identical copy is there, atomically.
tc_copy() {
  local target="$2/$(basename "$1")"
  cmp -s "$1" "$target" && return
  cp -f "$1" "$target.tmp.$$" && mv -f "$target.tmp.$$" "$target"
}

# Links the tools the engine looks up by name into one directory on PATH.
tc_link_tools() {
  mkdir -p "$TC_BIN"
  tc_link "$TC_PULUMI" "$TC_BIN/pulumi"
  tc_link "$TC_NODE" "$TC_BIN/node"
  # The engine expects bundled plugins next to its own binary and warns when it
  # finds one on PATH instead. The plugin script is generic (it resolves
  # @pulumi/pulumi from the program directory), so one copy beside our built
  # CLI serves every checkout; a pulumi installed by the user ships its own.
  local pulumi_dir plugin="$TC_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  pulumi_dir=$(dirname "$(readlink -f "$TC_PULUMI")")
  case "$pulumi_dir" in
    "$TC_CACHE"/*)
      rm -f "$TC_BIN/pulumi-resource-pulumi-nodejs" "$TC_BIN/pulumi-language-nodejs"
      tc_copy "$plugin" "$pulumi_dir"
      # The Go language host cannot be built here (its module is not served), so our
      # Node one goes beside the built CLI too. It is self-contained: it loads
      # @pulumi/pulumi from the program directory.
      tc_copy "$TC_ROOT/scripts/pulumi-language-nodejs" "$pulumi_dir"
      tc_copy "$TC_ROOT/scripts/language-host.js" "$pulumi_dir"
      ;;
    *)
      [ -x "$pulumi_dir/pulumi-resource-pulumi-nodejs" ] || tc_link "$plugin" "$TC_BIN/pulumi-resource-pulumi-nodejs"
      [ -x "$pulumi_dir/pulumi-language-nodejs" ] || tc_link "$TC_ROOT/scripts/pulumi-language-nodejs" "$TC_BIN/pulumi-language-nodejs"
      ;;
  esac
}

tc_export_env() {
  export PATH="$TC_BIN:$(dirname "$TC_NODE"):$(tc_path_without_tooling)"
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  export PULUMI_DISABLE_REGISTRY_RESOLVE=true
  export PULUMI_SKIP_CONFIRMATIONS=true
  export PULUMI_AI_GATEWAY_PULUMI="$TC_PULUMI"
}

# Everything above, in order. Safe to call repeatedly: each step is skipped
# when its result is already there.
tc_prepare() {
  tc_ensure_node
  export PATH="$(dirname "$TC_NODE"):$PATH"
  tc_ensure_deps
  tc_ensure_pulumi
  tc_link_tools
  tc_export_env
}

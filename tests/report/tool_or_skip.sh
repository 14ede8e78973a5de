# Sourced by the report tests: `need TOOL WHAT` fails (CI=true) or skips (exit 77) when a
# tool that ci/install-deps.sh installs is missing.
need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "missing $1 ($2): run ci/install-deps.sh" >&2
    if [ "${CI:-}" = "true" ]; then exit 1; fi
    exit 77
  fi
}

#!/usr/bin/env bash
# The servers the end-to-end tests talk to, on loopback:
#
#   HTTPBIN_URL       httpbin (PyPI) under gunicorn: a third-party HTTP Digest server
#   PRISM_URL         Prism (npm) mocking spec/atlas-backup.yaml: request validation
#   PRISM_PROXY_URL   Prism in proxy mode in front of PRISM_URL: also checks every answer
#                     (the spec's examples) against the spec, reported in `sl-violations`
#
#   source .ci/services.sh        install what is missing, start what is not running,
#                                 and export the three variables (what .ci/run does)
#   bash .ci/services.sh          the same, printing `export` lines
#   bash .ci/services.sh stop     stop the servers this script started
#
# Versions are pinned in .ci/services/ (requirements.txt, package-lock.json). The tools
# are installed once into $ATLAS_SERVICES_DIR (default ~/.cache/atlas-backup-services),
# never into the repository, and reinstalled when a pin changes. Servers that are already
# running with the same pins and the same spec are reused, so sourcing twice is cheap.
# Needs python3 (with venv), node and npm; nothing else is fetched than the pinned packages.

_atlas_services() {
  local action="${1:-start}"
  local repo ci_dir dir run spec
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || return 1
  ci_dir="$repo/.ci/services"
  dir="${ATLAS_SERVICES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/atlas-backup-services}"
  # One state slot per checkout: two clones (or git worktrees) each run their own servers
  # instead of stopping each other's.
  run="$dir/run/$(printf '%s' "$repo" | sha256sum | cut -c1-12)"
  spec="$repo/spec/atlas-backup.yaml"
  mkdir -p "$run" || return 1

  _say() { printf 'services: %s\n' "$*" >&2; }

  _hash() { cat "$@" | sha256sum | cut -c1-16; }

  # A free loopback port (the OS picks it).
  _free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  }

  # Whether anything answers HTTP at this URL (any status counts).
  _answers() {
    python3 - "$1" <<'PY' >/dev/null 2>&1
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    pass
PY
  }

  # _running NAME KEY: the URL of a server this script started under the same KEY, if it
  # still answers.
  _running() {
    local file="$run/$1.state" pid key url
    [ -f "$file" ] || return 1
    read -r pid key url <"$file" || return 1
    [ "$key" = "$2" ] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    _answers "$url/" || return 1
    printf '%s\n' "$url"
  }

  # _stop NAME: stops the server recorded under NAME (only that process and its group).
  _stop() {
    local file="$run/$1.state" pid key url
    [ -f "$file" ] || return 0
    read -r pid key url <"$file" || true
    if [ -n "${pid:-}" ] && kill -0 "$pid" 2>/dev/null; then
      kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null
      _say "stopped $1 (pid $pid)"
    fi
    rm -f "$file"
  }

  # _launch NAME KEY PORT COMMAND...: starts COMMAND in its own session, waits until
  # http://127.0.0.1:PORT answers, records it, and prints the URL.
  _launch() {
    local name="$1" key="$2" port="$3" url pid i
    shift 3
    url="http://127.0.0.1:$port"
    rm -f "$run/$name.pid"
    # A session of its own (so that stopping it stops its children too); the process
    # writes its own pid, as setsid may fork.
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$run/$name.pid" "$@" >"$run/$name.log" 2>&1 </dev/null &
    for i in $(seq 1 120); do
      pid="$(cat "$run/$name.pid" 2>/dev/null || true)"
      [ -n "$pid" ] && break
      sleep 0.1
    done
    for i in $(seq 1 120); do
      if _answers "$url/"; then
        printf '%s %s %s\n' "$pid" "$key" "$url" >"$run/$name.state"
        _say "$name on $url (pid $pid, log $run/$name.log)"
        printf '%s\n' "$url"
        return 0
      fi
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      sleep 0.5
    done
    _say "$name did not start; the end of $run/$name.log:"
    tail -n 20 "$run/$name.log" >&2
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null
    return 1
  }

  if [ "$action" = "stop" ]; then
    _stop prism-proxy
    _stop prism
    _stop httpbin
    return 0
  fi
  if [ "$action" != "start" ]; then
    _say "unknown action '$action' (start or stop)"
    return 2
  fi

  local venv_key prism_key spec_key port httpbin_url="" prism_url="" proxy_url=""
  # --- httpbin under gunicorn, in a virtualenv.
  venv_key="$(_hash "$ci_dir/requirements.txt")" || return 1
  if [ "$(cat "$dir/venv/.installed" 2>/dev/null)" != "$venv_key" ]; then
    _say "installing httpbin and gunicorn into $dir/venv"
    rm -rf "$dir/venv"
    python3 -m venv "$dir/venv" || return 1
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps \
      -r "$ci_dir/requirements.txt" || return 1
    printf '%s\n' "$venv_key" >"$dir/venv/.installed"
  fi
  if ! httpbin_url="$(_running httpbin "$venv_key")"; then
    _stop httpbin
    port="$(_free_port)"
    httpbin_url="$(_launch httpbin "$venv_key" "$port" \
      "$dir/venv/bin/gunicorn" --no-control-socket --workers 2 --bind "127.0.0.1:$port" httpbin:app)" || true
  fi

  # --- Prism, from the lock file.
  prism_key="$(_hash "$ci_dir/package-lock.json")" || return 1
  if [ "$(cat "$dir/prism/.installed" 2>/dev/null)" != "$prism_key" ]; then
    _say "installing Prism into $dir/prism"
    rm -rf "$dir/prism"
    mkdir -p "$dir/prism" || return 1
    cp "$ci_dir/package.json" "$ci_dir/package-lock.json" "$dir/prism/" || return 1
    (cd "$dir/prism" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2 || return 1
    printf '%s\n' "$prism_key" >"$dir/prism/.installed"
  fi
  spec_key="$prism_key-$(_hash "$spec")-$(printf '%s' "$spec" | sha256sum | cut -c1-8)" || return 1
  if ! prism_url="$(_running prism "$spec_key")"; then
    _stop prism-proxy
    _stop prism
    port="$(_free_port)"
    prism_url="$(_launch prism "$spec_key" "$port" \
      "$dir/prism/node_modules/.bin/prism" mock --host 127.0.0.1 --port "$port" "$spec")" || true
  fi
  if [ -n "$prism_url" ] && ! proxy_url="$(_running prism-proxy "$spec_key-$prism_url")"; then
    _stop prism-proxy
    port="$(_free_port)"
    proxy_url="$(_launch prism-proxy "$spec_key-$prism_url" "$port" \
      "$dir/prism/node_modules/.bin/prism" proxy --host 127.0.0.1 --port "$port" "$spec" "$prism_url")" || true
  fi

  if [ -z "$httpbin_url" ] || [ -z "$prism_url" ] || [ -z "$proxy_url" ]; then
    _say "not every server started"
    return 1
  fi
  export HTTPBIN_URL="$httpbin_url" PRISM_URL="$prism_url" PRISM_PROXY_URL="$proxy_url"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run, not sourced.
  _atlas_services "$@" || exit 1
  if [ "${1:-start}" = "start" ]; then
    printf 'export HTTPBIN_URL=%s PRISM_URL=%s PRISM_PROXY_URL=%s\n' "$HTTPBIN_URL" "$PRISM_URL" "$PRISM_PROXY_URL"
  fi
else
  _atlas_services "$@"
  _atlas_services_status=$?
  unset -f _atlas_services _say _hash _free_port _answers _running _stop _launch
  # `return` ends a sourced script with that status (and fails `.ci/run` under set -e).
  return "$_atlas_services_status"
fi

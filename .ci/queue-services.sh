# Sourced by .ci/run: what the review queue's tests need beyond Python packages.
#  - Debian chromium for the browser test (driven by Playwright with executable_path=/usr/bin/chromium)
#  - a throwaway PostgreSQL 15 cluster on a free port; DOCGAP_TEST_PG_URL points the store tests at it
# initdb refuses to run as root, so as root the cluster is owned and run by `nobody`.

_apt_install() {
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -q >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@"
}

if [ ! -x /usr/bin/chromium ]; then
    _apt_install chromium
fi

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    _apt_install postgresql
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi

PG_DIR="$(mktemp -d /tmp/docgap-pg.XXXXXX)"
PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
_as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown nobody "$PG_DIR"
_as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U docgap -A trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log"; exit 1; }
_as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
    || { cat "$PG_DIR/server.log"; exit 1; }
_stop_pg() { _as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; }
trap _stop_pg EXIT
export DOCGAP_TEST_PG_URL="postgresql://docgap@127.0.0.1:$PG_PORT/postgres"
echo "queue services: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), PostgreSQL on port $PG_PORT"

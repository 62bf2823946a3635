# Sourced by scripts/start and scripts/test: installs what is missing on a Debian/Ubuntu machine
# and makes sure PostgreSQL is reachable, exporting DATABASE_URL.
#   1. DATABASE_URL if set;
#   2. else a server on 127.0.0.1:5432, or on the local socket;
#   3. else a project-local cluster under .data/ made with this machine's PostgreSQL binaries
#      (Debian's `postgresql` package is installed when there are none).
# Set WAKO_WITH_BROWSER=1 to also install Debian's chromium (the browser tests need it).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB_NAME="${WAKO_DB_NAME:-wako_collections}"
cd "$ROOT"

say() { printf '\033[1m[wako]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else say "root の権限が必要です: $*"; return 1; fi
}

APT_UPDATED=""
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    say "apt-get がありません。次のパッケージを手動で入れてください: ${missing[*]}"; return 1
  fi
  say "システムパッケージを入れます: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_system_packages() {
  # WeasyPrint needs Pango; printed forms use Debian's IPAex fonts; pdftotext reads PDFs in tests.
  # postgresql-client: pg_dump/pg_restore for manage.py backup and restore.
  local pkgs=(fonts-ipaexfont libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils postgresql-client)
  [ "${WAKO_WITH_BROWSER:-0}" = 1 ] && pkgs+=(chromium)
  apt_install "${pkgs[@]}"
}

install_python() {
  local python="${PYTHON:-python3}"
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { say "Python 3.11 以上が必要です（$("$python" --version 2>&1)）"; return 1; }
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv 2>/dev/null || { apt_install python3-venv && "$python" -m venv .venv; }
  fi
  local stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    say "Python パッケージを入れます（.venv）"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[dev]"
    rm -f .venv/.installed-*; touch "$stamp"
  fi
}

pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/$1" ] && { echo "$dir/$1"; return 0; }
  done
  command -v "$1" 2>/dev/null
}

start_local_cluster() {
  local data="$ROOT/.data/pg" sock="$ROOT/.data/pg-socket" initdb pg_ctl run=()
  initdb="$(pg_bin initdb || true)"
  if [ -z "$initdb" ]; then apt_install postgresql; initdb="$(pg_bin initdb)"; fi
  pg_ctl="$(dirname "$initdb")/pg_ctl"
  mkdir -p "$ROOT/.data" "$sock"
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: the cluster belongs to the postgres system user.
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$ROOT/.data" --shell /bin/false postgres
    chown postgres "$ROOT/.data" "$sock"
    chmod o+x "$ROOT" "$ROOT/.data"
    run=(runuser -u postgres --)
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    say "PostgreSQL のクラスタを .data/pg に作ります"
    "${run[@]}" "$initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! "${run[@]}" "$pg_ctl" -D "$data" status >/dev/null 2>&1; then
    say "PostgreSQL（.data/pg）を起動します"
    "${run[@]}" "$pg_ctl" -D "$data" -l "$ROOT/.data/pg.log" -w \
      -o "-p 5432 -k $sock -c listen_addresses=127.0.0.1" start >/dev/null
  fi
}

ensure_database() {
  if [ -z "${DATABASE_URL:-}" ]; then
    if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
      export DATABASE_URL="postgres://${PGUSER:-postgres}@127.0.0.1:5432/$DB_NAME"
    elif pg_isready -q 2>/dev/null; then
      export DATABASE_URL="postgres://${PGUSER:-postgres}@%2Fvar%2Frun%2Fpostgresql/$DB_NAME"
    else
      start_local_cluster
      export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB_NAME"
    fi
  fi
  # Create the database if the server does not have it yet.
  .venv/bin/python - <<'PY'
import os, psycopg, dj_database_url
config = dj_database_url.parse(os.environ["DATABASE_URL"])
conninfo = dict(dbname="postgres", user=config["USER"] or None, password=config["PASSWORD"] or None,
                host=config["HOST"] or None, port=config["PORT"] or None)
with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as connection:
    if not connection.execute("select 1 from pg_database where datname = %s", [config["NAME"]]).fetchone():
        connection.execute(f'create database "{config["NAME"]}"')
PY
}

bootstrap() {
  install_system_packages
  install_python
  ensure_database
}

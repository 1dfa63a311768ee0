#!/usr/bin/env bash
# Runs every test of the product against real servers: a private PostgreSQL and Redis (started
# by internal/devenv unless CARTA_TEST_PG_ADMIN_URL / CARTA_TEST_REDIS_URL name others), an SMTP
# server inside the test process, and Debian's Chromium for the browser tests.
# Extra arguments go to `go test` (e.g. -run TestX, or -bench . for benchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_pkgs+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_pkgs+=(redis-server)
# Fonts so that pages render as citizens see them in screenshots.
command -v pdftotext >/dev/null 2>&1 || need_pkgs+=(poppler-utils)
[ -d /usr/share/fonts/truetype/dejavu ] || need_pkgs+=(fonts-dejavu-core)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing: ${need_pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  else
    echo "missing: ${need_pkgs[*]} — install them (sudo apt-get install ${need_pkgs[*]})" >&2
    exit 1
  fi
fi

# The generated query code must match db/queries and db/schema (sqlc works offline).
go run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1 diff

# Start the private servers once, before packages run in parallel.
go run ./cmd/carta dev --servers-only >/dev/null

export CARTA_CHROMIUM="${CARTA_CHROMIUM:-$(command -v chromium)}"
exec go test -race -count=1 -timeout 30m "$@" ./...

#!/usr/bin/env bash
# The Carta at national scale (issue 3): 8,000 comuni × 40 services, measured on loopback with
# wrk (Debian package), side by side in one run with nginx serving the same page's bytes.
#
#   1. builds the binary, starts the private PostgreSQL (`carta dev --servers-only`) and a Redis
#      of its own (so no test can flush it mid-run), creates, migrates and seeds the database
#      carta_scale once (`carta scale-seed`; skipped when already seeded — the first seeding
#      takes tens of minutes on two cores);
#   2. starts `carta serve` on it and nginx (nginx-light, installed when missing as root) with a
#      private configuration, both on free loopback ports;
#   3. measures, each for a fixed duration:
#      a) one tenant's cached service page, identity: carta vs nginx serving the same bytes;
#      b) the same with Accept-Encoding: gzip: carta (compressed once, at render) vs nginx
#         compressing on the fly at level 1;
#      c) cache misses: a shuffled list of service pages of 2,000 tenants, Redis emptied, none
#         of them requested before — every request renders;
#      d) search: /cerca?q=… with typos and accents, across the same 2,000 tenants;
#   4. prints a table (requests/s, p50, p95, p99, ratios) and the load average before and after.
#
# Usage: scripts/bench-carta.sh [seconds] [connections]
# Environment: BENCH_COMUNI (8000), BENCH_SERVICES (40), BENCH_AMBITI (600), BENCH_MISS_CONNS (8),
# BENCH_SEARCH_CONNS (8), BENCH_DB (carta_scale).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-32}
comuni=${BENCH_COMUNI:-8000}
services=${BENCH_SERVICES:-40}
ambiti=${BENCH_AMBITI:-600}
miss_conns=${BENCH_MISS_CONNS:-8}
search_conns=${BENCH_SEARCH_CONNS:-8}
dbname=${BENCH_DB:-carta_scale}

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
command -v redis-server >/dev/null || need+=(redis-server)
command -v psql >/dev/null || need+=(postgresql-client)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # The package starts the system nginx on port 80: this benchmark runs its own.
    if [[ " ${need[*]} " == *" nginx-light "* ]]; then systemctl stop nginx 2>/dev/null || service nginx stop 2>/dev/null || true; fi
  else
    echo "missing: ${need[*]} — install them (sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

work=$(mktemp -d /tmp/bench-carta.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { # first port from $1 on which nothing listens
  local p
  for p in $(seq "$1" $(($1 + 500))); do
    if ! ss -ltnH "sport = :$p" | grep -q .; then echo "$p"; return; fi
  done
  echo "no free port from $1" >&2; exit 1
}

wait_http() { # url [host]: wait up to 60 s for a 2xx
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null ${2:+-H "Host: $2"} "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "not answering: $1" >&2; return 1
}

make -s assets >/dev/null
bin="$work/carta"
go build -o "$bin" ./cmd/carta

# --- servers: the project's private PostgreSQL, and a Redis for this run only ---------------
admin=$("$bin" dev --servers-only | sed -n 's/^CARTA_TEST_PG_ADMIN_URL=//p')
pghostport=$(echo "$admin" | sed -E 's|^postgres://[^@]*@([^/]+)/.*|\1|')
export CARTA_ENV=development BASE_DOMAIN=localhost LOG_LEVEL=warn
export DATABASE_URL="postgres://carta_app@$pghostport/$dbname?sslmode=disable"
export MIGRATE_DATABASE_URL="postgres://carta_owner@$pghostport/$dbname?sslmode=disable"
rport=$(free_port 26379)
redis-server --bind 127.0.0.1 --port "$rport" --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
export REDIS_URL="redis://127.0.0.1:$rport/0"
adminq() { psql "${admin%/postgres*}/$dbname?sslmode=disable" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

# --- seeding, once ---------------------------------------------------------------------------
want=$((comuni + ambiti))
have=0
if psql "$admin" -XAtq -c "SELECT 1 FROM pg_database WHERE datname = '$dbname'" | grep -q 1; then
  have=$(adminq "SELECT count(*) FROM carta_state WHERE published_version > 0" 2>/dev/null || echo 0)
fi
if [ "$have" -lt "$want" ]; then
  echo "== seeding $dbname: $comuni comuni × $services services, $ambiti ambiti ($have of $want published so far)"
  "$bin" scale-seed --comuni "$comuni" --services "$services" --ambiti "$ambiti" --create-db
else
  echo "== $dbname already seeded: $have Carte published"
fi
# ANALYZE after the bulk load, so the planner knows the tables' real sizes.
adminq "ANALYZE" >/dev/null
size=$(adminq "SELECT pg_size_pretty(pg_database_size(current_database()))")
echo "== database $dbname: $size, $(adminq "SELECT count(*) FROM tenants") tenants, $(adminq "SELECT count(*) FROM service_search") published services"

# --- carta serve ----------------------------------------------------------------------------
port=$(free_port 18400)
LISTEN_ADDR="127.0.0.1:$port" "$bin" serve >"$work/carta.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$port/healthz"

# The measured page: the first service (by slug) of the comune in the middle of the range.
tslug=$(printf 'c%05d' $((comuni / 2)))
host="$tslug.localhost:$port"
sslug=$(adminq "SELECT s.slug FROM service_search s JOIN tenants t ON t.id = s.tenant_id WHERE t.slug = '$tslug' ORDER BY s.slug LIMIT 1")
page="/servizi/$sslug"
url="http://127.0.0.1:$port$page"
wait_http "$url" "$host"
mkdir -p "$work/www"
curl -fsS -H "Host: $host" "$url" -o "$work/www/page.html"
curl -fsS -H "Host: $host" -H 'Accept-Encoding: gzip' -D "$work/gz.headers" "$url" -o "$work/page.gz"
grep -qi '^content-encoding: gzip' "$work/gz.headers" || { echo "carta did not answer gzip" >&2; exit 1; }
chmod -R a+rX "$work/www"
idsize=$(stat -c %s "$work/www/page.html")
gzsize=$(stat -c %s "$work/page.gz")

# --- nginx, same bytes from disk ------------------------------------------------------------
nport=$(free_port 18500)
mkdir -p "$work/nginx"
{
  [ "$(id -u)" -eq 0 ] && echo "user root;"
  cat <<EOF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  open_file_cache max=16 inactive=60s;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  default_type text/html;
  charset utf-8;
  gzip on;
  gzip_comp_level 1;
  gzip_types text/html;
  gzip_vary on;
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    location / { try_files /page.html =404; }
  }
}
EOF
} >"$work/nginx/nginx.conf"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" >"$work/nginx/stderr" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$nport/"
cmp -s "$work/www/page.html" <(curl -fsS "http://127.0.0.1:$nport/") || { echo "nginx does not serve the same bytes" >&2; exit 1; }

# --- wrk scripts ----------------------------------------------------------------------------
# report.lua prints one line per run: requests/s and the latency percentiles in ms.
cat >"$work/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.2f %.2f %.2f %d %d %d\n", summary.requests / s,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, summary.requests))
end
EOF
# list.lua cycles through "host<TAB>path" lines; each thread takes every n-th line from its own
# offset, so no two requests of a run ask for the same line until the list wraps around. What
# follows "q=" is URL-encoded here (queries are written with accents and spaces).
cat "$work/report.lua" >"$work/list.lua"
cat >>"$work/list.lua" <<'EOF'
local count = 0
function setup(thread)
  thread:set("id", count)
  count = count + 1
end
local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
function init(args)
  lines = {}
  for line in io.lines(args[1]) do
    local h, p = line:match("^([^\t]+)\t(.+)$")
    if h then
      local base, q = p:match("^(.-q=)(.*)$")
      if base then p = base .. encode(q) end
      lines[#lines + 1] = { h, p }
    end
  end
  step = tonumber(args[2])
  idx = id + 1
end
function request()
  local l = lines[idx]
  idx = idx + step
  if idx > #lines then idx = (idx - 1) % #lines + 1 end
  return wrk.format("GET", l[2], { ["Host"] = l[1] })
end
EOF

declare -A rps p50 p95 p99 errs
run() { # name, then wrk arguments
  local name=$1; shift
  local out
  out=$(wrk "$@" | grep '^RESULT') || { echo "wrk failed for $name" >&2; exit 1; }
  read -r _ "rps[$name]" "p50[$name]" "p95[$name]" "p99[$name]" st sock total <<<"$out"
  errs[$name]="$st/$sock"
  echo "   $name: ${rps[$name]} req/s, p50 ${p50[$name]} ms, p95 ${p95[$name]} ms, p99 ${p99[$name]} ms ($total requests, non-2xx/socket errors ${errs[$name]})"
}
metric() { curl -fsS "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m { printf "%d", $2 }'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== load average before: $load_before ($(nproc) cores, shared with other work)"
echo "== page $host$page: $idsize bytes, $gzsize gzip"

# Warm-up of both servers (connections, the in-process cache level), not measured.
wrk -t2 -c"$conns" -d2s -H "Host: $host" "$url" >/dev/null
wrk -t2 -c"$conns" -d2s -H "Host: $host" -H 'Accept-Encoding: gzip' "$url" >/dev/null
wrk -t2 -c"$conns" -d2s "http://127.0.0.1:$nport/" >/dev/null

echo "== a) cached service page, identity, ${secs}s, $conns connections"
run carta_id -t2 -c"$conns" -d"${secs}s" -s "$work/report.lua" -H "Host: $host" "$url"
run nginx_id -t2 -c"$conns" -d"${secs}s" -s "$work/report.lua" "http://127.0.0.1:$nport/"
echo "== b) cached service page, Accept-Encoding: gzip, ${secs}s, $conns connections"
run carta_gz -t2 -c"$conns" -d"${secs}s" -s "$work/report.lua" -H "Host: $host" -H 'Accept-Encoding: gzip' "$url"
run nginx_gz -t2 -c"$conns" -d"${secs}s" -s "$work/report.lua" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$nport/"

# c) Cache misses: service pages of 2,000 other comuni in random order, Redis emptied.
adminq "SELECT t.slug || '.localhost:$port' || chr(9) || '/servizi/' || s.slug
        FROM service_search s JOIN tenants t ON t.id = s.tenant_id
        WHERE t.kind = 'comune' AND t.slug <> '$tslug'
          AND t.id IN (SELECT id FROM tenants WHERE kind = 'comune' AND slug <> '$tslug' ORDER BY md5(slug) LIMIT 2000)
        ORDER BY md5(t.slug || s.slug)" >"$work/miss.txt"
redis-cli -p "$rport" flushall >/dev/null
renders0=$(metric carta_pagecache_renders_total)
echo "== c) cache miss: $(wc -l <"$work/miss.txt") distinct service pages of 2,000 comuni, ${secs}s, $miss_conns connections"
run carta_miss -t2 -c"$miss_conns" -d"${secs}s" -s "$work/list.lua" "http://127.0.0.1:$port/" -- "$work/miss.txt" 2
renders=$(( $(metric carta_pagecache_renders_total) - renders0 ))
echo "   pages rendered during the run: $renders"

# d) Search over the same comuni: typos, accents, several words.
queries=("assistenza domiciliare" "asistenza domicilare anziani" "asilo nido" "nido d'infanzia" "contributo affitto"
  "perché" "disabilità" "disabilita trasporto" "centro diurno" "pasti a domicilio" "telesocorso" "bonus bollette luce"
  "buoni spesa" "caregiver" "amministratore di sostegno" "mediazione culturale" "libri di testo" "mensa scolastica"
  "barriere architettoniche" "psicologo" "ISEE" "violenza donne" "centro antiviolenza" "affido" "casa popolare"
  "sfratto" "senza dimora" "tirocinio lavoro" "informagiovani" "doposcuola compiti" "ludoteca" "riduzione TARI"
  "orti sociali" "soggiorni terme" "contrassegno parcheggio" "assegno di maternità" "assegno maternita"
  "spazio neutro" "gioco d'azzardo" "integrazione retta RSA")
cut -f1 "$work/miss.txt" | awk '!seen[$0]++' >"$work/hosts.txt"
awk -v nq=${#queries[@]} 'BEGIN { FS = "\n" } NR == FNR { q[FNR - 1] = $0; next } { for (i = 0; i < 4; i++) print $0 "\t/cerca?q=" q[(FNR * 7 + i * 13) % nq] }' \
  <(printf '%s\n' "${queries[@]}") "$work/hosts.txt" >"$work/search.txt"
wrk -t2 -c"$search_conns" -d2s -s "$work/list.lua" "http://127.0.0.1:$port/" -- "$work/search.txt" 2 >/dev/null
echo "== d) search: ${#queries[@]} queries over 2,000 comuni ($(wc -l <"$work/search.txt") distinct requests), ${secs}s, $search_conns connections"
run carta_search -t2 -c"$search_conns" -d"${secs}s" -s "$work/list.lua" "http://127.0.0.1:$port/" -- "$work/search.txt" 2

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== load average after: $load_after"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }
echo
echo "| measurement | server | requests/s | p50 | p95 | p99 | ratio (target) |"
echo "|---|---|---|---|---|---|---|"
echo "| a) cached service page, identity ($idsize B) | carta | ${rps[carta_id]} | ${p50[carta_id]} ms | ${p95[carta_id]} ms | ${p99[carta_id]} ms | $(ratio "${rps[carta_id]}" "${rps[nginx_id]}") nginx (≥ 0.5×) |"
echo "| | nginx static | ${rps[nginx_id]} | ${p50[nginx_id]} ms | ${p95[nginx_id]} ms | ${p99[nginx_id]} ms | |"
echo "| b) same page, gzip ($gzsize B) | carta (pre-compressed) | ${rps[carta_gz]} | ${p50[carta_gz]} ms | ${p95[carta_gz]} ms | ${p99[carta_gz]} ms | $(ratio "${rps[carta_gz]}" "${rps[nginx_gz]}") nginx (≥ 1.5×) |"
echo "| | nginx gzip level 1 on the fly | ${rps[nginx_gz]} | ${p50[nginx_gz]} ms | ${p95[nginx_gz]} ms | ${p99[nginx_gz]} ms | |"
echo "| c) cache miss ($renders renders) | carta | ${rps[carta_miss]} | ${p50[carta_miss]} ms | ${p95[carta_miss]} ms | ${p99[carta_miss]} ms | |"
echo "| d) search | carta | ${rps[carta_search]} | ${p50[carta_search]} ms | ${p95[carta_search]} ms | ${p99[carta_search]} ms | |"
echo
echo "load average before $load_before, after $load_after; $(nproc) cores shared with other work; $(go version | cut -d' ' -f3), nginx $(nginx -v 2>&1 | cut -d/ -f2), wrk 4.1.0; a, b: $conns connections; c: $miss_conns; d: $search_conns; ${secs}s each"

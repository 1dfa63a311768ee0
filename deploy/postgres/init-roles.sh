#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory: creates the
# product's roles and database with deploy/sql/roles.sql. The official image sources or runs
# every script in /docker-entrypoint-initdb.d while the server listens on its socket only.
# No `set -eu`: the image sources scripts that lost their executable bit, and the options
# would then leak into its own entrypoint. A failure below still stops the initialisation.

: "${CARTA_OWNER_PASSWORD:?set CARTA_OWNER_PASSWORD for the carta_owner role}"
: "${CARTA_APP_PASSWORD:?set CARTA_APP_PASSWORD for the carta_app role}"

psql --no-psqlrc --set ON_ERROR_STOP=1 \
	--username "${POSTGRES_USER:-postgres}" --dbname postgres \
	--set owner_password="$CARTA_OWNER_PASSWORD" \
	--set app_password="$CARTA_APP_PASSWORD" \
	--set dbname="${CARTA_DB:-carta}" \
	--file /carta/roles.sql || exit 1

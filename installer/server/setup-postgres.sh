#!/bin/sh
# Create the sync server's PostgreSQL role and database (run once, as a PostgreSQL superuser).
#   WELCOME_DESK_DB_PASSWORD=... installer/server/setup-postgres.sh
# Connection settings come from the usual PG* variables (PGHOST, PGPORT, PGUSER). The
# integration tests run this very script against their throwaway cluster.
set -eu
: "${WELCOME_DESK_DB_PASSWORD:?set WELCOME_DESK_DB_PASSWORD}"
ROLE=${WELCOME_DESK_DB_ROLE:-welcome_desk}
DB=${WELCOME_DESK_DB_NAME:-welcome_desk}
psql -v ON_ERROR_STOP=1 -q -v role="$ROLE" -v pw="$WELCOME_DESK_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'pw';
SQL
# CREATE DATABASE cannot run inside the transaction psql would otherwise share with it.
psql -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE \"$DB\" OWNER \"$ROLE\" ENCODING 'UTF8' TEMPLATE template0"
psql -v ON_ERROR_STOP=1 -q -d "$DB" -c "REVOKE ALL ON SCHEMA public FROM PUBLIC; GRANT ALL ON SCHEMA public TO \"$ROLE\""
echo "created role $ROLE and database $DB"

# shellcheck shell=bash
# Starts throw-away MariaDB and PostgreSQL servers on 127.0.0.1 for the store
# tests. Meant to be sourced (after mariadb-server and postgresql are
# installed):
#
#   source .ci/databases.sh     # starts both servers
#   go test ./store/...
#   hedwig_stop_databases
#
# hedwig_start_databases initialises both servers in a temp directory, on free
# ports, as the current user (PostgreSQL refuses to run as root, so under root
# it runs as the `postgres` user via runuser), waits until they accept
# connections, creates the test databases and exports
#
#   HEDWIG_TEST_MYSQL_DSN=jdbc:mysql://127.0.0.1:PORT/hedwig_test?user=hedwig&password=hedwig
#   HEDWIG_TEST_PG_DSN=jdbc:postgresql://127.0.0.1:PORT/hedwig_test?user=hedwig&password=hedwig
#
# hedwig_stop_databases stops both servers by PID and removes the directory.
# The script never calls `exit` and does not change shell options, so it is
# safe to source into CI scripts that use `set -e`.

HEDWIG_DB_DIR=""
HEDWIG_MYSQL_PID=""
HEDWIG_PG_PID=""

_hedwig_log() { echo "databases.sh: $*" >&2; }

# _hedwig_free_port prints a TCP port on 127.0.0.1 that nobody listens on.
_hedwig_free_port() {
	local port i
	for i in $(seq 1 50); do
		# Below the ephemeral range (32768+), where other processes'
		# outgoing connections could hold the port.
		port=$((15000 + RANDOM % 15000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

# _hedwig_wait runs the command given until it succeeds, at most $1 seconds.
_hedwig_wait() {
	local limit=$1 start=$SECONDS
	shift
	until "$@" >/dev/null 2>&1; do
		if ((SECONDS - start >= limit)); then
			return 1
		fi
		sleep 0.1
	done
}

_hedwig_pg_bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [[ -z $d ]]; then
		d=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
	fi
	[[ -x $d/initdb ]] && echo "$d"
}

_hedwig_start_mariadb() {
	local dir=$HEDWIG_DB_DIR/mariadb user port
	user=$(id -un)
	mkdir -p "$dir/data" || return 1
	local mariadbd
	mariadbd=$(command -v mariadbd || command -v /usr/sbin/mariadbd)
	if [[ -z $mariadbd ]] || ! command -v mariadb-install-db >/dev/null; then
		_hedwig_log "mariadb-server is not installed (apt-get install -y mariadb-server)"
		return 1
	fi
	if ! mariadb-install-db --no-defaults --user="$user" --datadir="$dir/data" \
		--auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1; then
		_hedwig_log "mariadb-install-db failed:"
		tail -n 20 "$dir/install.log" >&2
		return 1
	fi
	# A port found free can be taken before the server binds it: retry.
	local attempt started=""
	for attempt in 1 2 3; do
		port=$(_hedwig_free_port) || return 1
		"$mariadbd" --no-defaults --user="$user" --datadir="$dir/data" \
			--socket="$dir/mysqld.sock" --port="$port" --bind-address=127.0.0.1 \
			--pid-file="$dir/mysqld.pid" --skip-log-bin --skip-name-resolve \
			--innodb-buffer-pool-size=128M --max-connections=300 \
			--log-error="$dir/error.log" >/dev/null 2>&1 &
		HEDWIG_MYSQL_PID=$!
		if _hedwig_wait 30 mariadb-admin --no-defaults -S "$dir/mysqld.sock" -u root ping; then
			started=1
			break
		fi
		_hedwig_log "MariaDB did not start on port $port (attempt $attempt):"
		tail -n 5 "$dir/error.log" >&2
		_hedwig_stop_pid "$HEDWIG_MYSQL_PID" TERM
	done
	[[ -n $started ]] || return 1
	mariadb --no-defaults -S "$dir/mysqld.sock" -u root <<-'SQL' || return 1
		CREATE DATABASE hedwig_test CHARACTER SET utf8mb4;
		CREATE USER 'hedwig'@'127.0.0.1' IDENTIFIED BY 'hedwig';
		CREATE USER 'hedwig'@'localhost' IDENTIFIED BY 'hedwig';
		GRANT ALL PRIVILEGES ON hedwig_test.* TO 'hedwig'@'127.0.0.1';
		GRANT ALL PRIVILEGES ON hedwig_test.* TO 'hedwig'@'localhost';
	SQL
	export HEDWIG_TEST_MYSQL_DSN="jdbc:mysql://127.0.0.1:$port/hedwig_test?user=hedwig&password=hedwig"
	_hedwig_log "MariaDB pid $HEDWIG_MYSQL_PID on 127.0.0.1:$port"
}

_hedwig_start_postgres() {
	local dir=$HEDWIG_DB_DIR/postgres bin port
	bin=$(_hedwig_pg_bindir)
	if [[ -z $bin ]]; then
		_hedwig_log "postgresql is not installed (apt-get install -y postgresql)"
		return 1
	fi
	local -a as=()
	mkdir -p "$dir" || return 1
	if [[ $(id -u) -eq 0 ]]; then
		# initdb and postgres refuse to run as root.
		chown postgres: "$dir" && chmod 700 "$dir" || return 1
		as=(runuser -u postgres --)
	fi
	if ! "${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync \
		>"$dir/initdb.log" 2>&1; then
		_hedwig_log "initdb failed:"
		tail -n 20 "$dir/initdb.log" >&2
		return 1
	fi
	# A port found free can be taken before the server binds it: retry.
	local attempt started=""
	for attempt in 1 2 3; do
		port=$(_hedwig_free_port) || return 1
		"${as[@]}" "$bin/postgres" -D "$dir/data" -p "$port" -k "$dir" \
			-c listen_addresses=127.0.0.1 -c max_connections=300 \
			-c shared_buffers=64MB >"$dir/postgres.log" 2>&1 &
		if _hedwig_wait 30 "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
			started=1
			break
		fi
		_hedwig_log "PostgreSQL did not start on port $port (attempt $attempt):"
		tail -n 5 "$dir/postgres.log" >&2
		if [[ -f $dir/data/postmaster.pid ]]; then
			_hedwig_stop_pid "$(head -n 1 "$dir/data/postmaster.pid")" INT
		fi
	done
	[[ -n $started ]] || return 1
	# The postmaster's own PID (the background job may be runuser).
	HEDWIG_PG_PID=$(head -n 1 "$dir/data/postmaster.pid")
	"$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 <<-'SQL' || return 1
		CREATE ROLE hedwig LOGIN PASSWORD 'hedwig';
		CREATE DATABASE hedwig_test OWNER hedwig ENCODING 'UTF8';
	SQL
	export HEDWIG_TEST_PG_DSN="jdbc:postgresql://127.0.0.1:$port/hedwig_test?user=hedwig&password=hedwig"
	_hedwig_log "PostgreSQL pid $HEDWIG_PG_PID on 127.0.0.1:$port"
}

# _hedwig_stop_pid sends a signal to a PID and waits up to 20 s for it to go.
_hedwig_stop_pid() {
	local pid=$1 sig=$2 i
	[[ -n $pid ]] || return 0
	kill "-$sig" "$pid" 2>/dev/null || return 0
	for i in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
}

hedwig_stop_databases() {
	_hedwig_stop_pid "$HEDWIG_MYSQL_PID" TERM
	_hedwig_stop_pid "$HEDWIG_PG_PID" INT # fast shutdown
	HEDWIG_MYSQL_PID=""
	HEDWIG_PG_PID=""
	if [[ -n $HEDWIG_DB_DIR && -d $HEDWIG_DB_DIR ]]; then
		rm -rf "$HEDWIG_DB_DIR"
	fi
	HEDWIG_DB_DIR=""
	unset HEDWIG_TEST_MYSQL_DSN HEDWIG_TEST_PG_DSN
}

# hedwig_start_databases starts both servers; it returns non-zero (after
# stopping whatever it started) if either fails.
hedwig_start_databases() {
	HEDWIG_DB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hedwig-db.XXXXXX") || return 1
	chmod 755 "$HEDWIG_DB_DIR"
	if ! _hedwig_start_mariadb; then
		hedwig_stop_databases
		return 1
	fi
	if ! _hedwig_start_postgres; then
		hedwig_stop_databases
		return 1
	fi
}

hedwig_start_databases

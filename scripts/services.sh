#!/usr/bin/env bash
# Start, stop and inspect the local services the test suite needs:
# a private PostgreSQL cluster and a single-node Elasticsearch.
#
#   scripts/services.sh start            install what is missing (root), start both,
#                                        wait until healthy, write the env file
#   scripts/services.sh stop             stop what `start` started (quiet if nothing runs)
#   scripts/services.sh status           print the state of each; exit 0 only if both run
#   scripts/services.sh install-browser  apt-install chromium + chromium-driver (root)
#   scripts/services.sh env-file         print the env file's path (for `source`)
#   scripts/services.sh es-start|es-stop Elasticsearch alone, with the analysis plugin
#                                        (search-service/analysis-plugin/lab-check.sh uses
#                                        these with its own SERVICES_DIR and ports)
#
# Settings (environment):
#   SERVICES_DIR  state folder; default /var/lib/registry-services as root,
#                 ${XDG_CACHE_HOME:-$HOME/.cache}/registry-services otherwise
#   PG_PORT       PostgreSQL port on 127.0.0.1 (default 55432)
#   PG_BIN        PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
#   ES_PORT       Elasticsearch HTTP port on 127.0.0.1 (default 59200)
#   ES_TRANSPORT_PORT  Elasticsearch transport port (default 59300)
#   ES_VERSION    Elasticsearch version fetched from Maven Central (default 8.19.21)
#   ES_JAVA_OPTS  JVM options for Elasticsearch
#                 (default "-Xms512m -Xmx512m -XX:TieredStopAtLevel=1")
#   ES_JAVA_HOME  JDK for Elasticsearch (default: the system `java`)
#   ES_HEALTH_TIMEOUT  seconds to wait for Elasticsearch (default 120)
#
# The env file ${SERVICES_DIR}/services.env holds DATABASE_URL and
# ELASTICSEARCH_URL as plain KEY=value lines, for `set -a; . FILE; set +a`.

set -Eeuo pipefail

readonly PROG="services.sh"

PG_PORT="${PG_PORT:-55432}"
ES_PORT="${ES_PORT:-59200}"
ES_TRANSPORT_PORT="${ES_TRANSPORT_PORT:-59300}"
ES_VERSION="${ES_VERSION:-8.19.21}"
# TieredStopAtLevel=1 (C1 JIT only) halves the node's start-up time on two
# cores; a test node's small workload does not miss the C2 compiler.
ES_JAVA_OPTS="${ES_JAVA_OPTS:--Xms512m -Xmx512m -XX:TieredStopAtLevel=1}"
ES_HEALTH_TIMEOUT="${ES_HEALTH_TIMEOUT:-120}"
readonly MVN_DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.6.1"
readonly ES_ARTIFACT_GROUP="org.elasticsearch.distribution.integ-test-zip"

readonly DB_NAME="registry" DB_USER="registry" DB_PASSWORD="registry"
readonly PG_SUPERUSER="postgres"

# Service accounts, used only when we are root (PostgreSQL and Elasticsearch
# both refuse to run as root). A developer runs both as themselves.
readonly PG_OS_USER="postgres" ES_OS_USER="elasticsearch"

if [[ ${EUID} -eq 0 ]]; then
    IS_ROOT=1
    default_services_dir="/var/lib/registry-services"
else
    IS_ROOT=0
    default_services_dir="${XDG_CACHE_HOME:-${HOME}/.cache}/registry-services"
fi
SERVICES_DIR="${SERVICES_DIR:-${default_services_dir}}"
if [[ ${SERVICES_DIR} != /* ]]; then
    SERVICES_DIR="${PWD}/${SERVICES_DIR}"
fi

readonly PG_DIR="${SERVICES_DIR}/postgres"
readonly PGDATA_DIR="${PG_DIR}/data"
readonly PG_SOCKET_DIR="${PG_DIR}/run"
readonly PG_LOG="${PG_DIR}/postgres.log"
readonly ES_DIR="${SERVICES_DIR}/elasticsearch"
readonly ES_HOME="${ES_DIR}/elasticsearch-${ES_VERSION}"
readonly ES_DATA="${ES_DIR}/data"
readonly ES_LOGS="${ES_DIR}/logs"
readonly ES_TMP="${ES_DIR}/tmp"
readonly ES_RUN="${ES_DIR}/run"
readonly ES_PIDFILE="${ES_RUN}/elasticsearch.pid"
readonly ES_LAUNCH_LOG="${ES_LOGS}/launcher.log"
readonly ES_LOG="${ES_LOGS}/registry-test.log"
readonly ES_DATA_VERSION_FILE="${ES_DIR}/data.version"
readonly ENV_FILE="${SERVICES_DIR}/services.env"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO
readonly ES_PLUGIN_NAME="registry-analysis"
readonly ES_PLUGIN_STAMP="${ES_DIR}/${ES_PLUGIN_NAME}.sha256"

readonly DATABASE_URL="postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${PG_PORT}/${DB_NAME}"
readonly ELASTICSEARCH_URL="http://127.0.0.1:${ES_PORT}"

PG_BIN="${PG_BIN:-}"
APT_UPDATED=0

# --------------------------------------------------------------------------
# helpers

say() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf '%s: warning: %s\n' "${PROG}" "$*" >&2; }
die() {
    printf '%s: error: %s\n' "${PROG}" "$*" >&2
    exit 1
}
on_err() {
    printf '%s: error: command failed (line %s, exit %s): %s\n' "${PROG}" "$1" "$2" "$3" >&2
}
trap 'on_err "${LINENO}" "$?" "${BASH_COMMAND}"' ERR

usage() {
    cat <<EOF
Usage: scripts/services.sh start|stop|status|install-browser|env-file|es-start|es-stop

  start            install what is missing (as root), start PostgreSQL and
                   Elasticsearch, wait until healthy, write the env file
  stop             stop what 'start' started
  status           print the state of each (exit 0 only when both run)
  install-browser  install Debian's chromium and chromium-driver (as root)
  env-file         print the path of the env file that 'start' writes
  es-start         start Elasticsearch alone (with the analysis plugin), wait until healthy
  es-stop          stop the Elasticsearch that 'es-start' or 'start' started

State folder: ${SERVICES_DIR}   (override with SERVICES_DIR)
Env file:     ${ENV_FILE}
EOF
}

# Run a command as a service account when root; as ourselves otherwise.
# `cd /` first: the service account may not be able to enter our cwd (/root).
as_user() {
    local user="$1"
    shift
    # 9>&-: daemons started here must not inherit (and so hold) our lock.
    if ((IS_ROOT)); then
        (cd / && runuser -u "${user}" -- "$@") 9>&-
    else
        "$@" 9>&-
    fi
}

# chown only when root (a developer already owns everything they create).
own() {
    local user="$1"
    shift
    if ((IS_ROOT)); then
        chown -- "${user}:" "$@"
    fi
}

own_paths() {
    local user="$1"
    shift
    if ((IS_ROOT)); then
        chown -R "${user}:" -- "$@"
    fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

describe_port_owner() {
    if command -v ss >/dev/null 2>&1; then
        ss -Hltnp "sport = :$1" 2>/dev/null | sed 's/^/    /' || true
    fi
}

apt_install() {
    local -a apt_opts=(-o DPkg::Lock::Timeout=600 -q)
    export DEBIAN_FRONTEND=noninteractive
    if ((APT_UPDATED == 0)); then
        say "apt-get update"
        apt-get "${apt_opts[@]}" update >/dev/null || die "apt-get update failed"
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    apt-get "${apt_opts[@]}" install -y "$@" || die "apt-get install $* failed"
}

find_pg_bin() {
    if [[ -n ${PG_BIN} ]]; then
        return 0
    fi
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        PG_BIN=/usr/lib/postgresql/15/bin
        return 0
    fi
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [[ -x ${d}/initdb ]]; then
            PG_BIN="${d}"
        fi
    done
}

# Check the tools `start` needs; as root apt-install the missing ones, as a
# developer say exactly what to install.
ensure_prerequisites() {
    local -a missing=()
    find_pg_bin
    if [[ -z ${PG_BIN} || ! -x ${PG_BIN}/initdb ]]; then
        missing+=(postgresql)
    fi
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    command -v unzip >/dev/null 2>&1 || missing+=(unzip)
    # A JDK (not only a JRE) and Maven build the registry's analysis plugin.
    command -v javac >/dev/null 2>&1 || [[ -n ${ES_JAVA_HOME:-} ]] || missing+=(openjdk-17-jdk-headless)
    command -v mvn >/dev/null 2>&1 || missing+=(maven)
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    if ((IS_ROOT)); then
        say "installing missing packages: ${missing[*]}"
        apt_install --no-install-recommends "${missing[@]}"
        PG_BIN=""
        find_pg_bin
        [[ -n ${PG_BIN} && -x ${PG_BIN}/initdb ]] || die "PostgreSQL binaries still missing after install (looked in /usr/lib/postgresql/*/bin; set PG_BIN)"
    else
        printf '%s: error: missing packages: %s\n' "${PROG}" "${missing[*]}" >&2
        printf 'Install them with:\n    sudo apt-get update && sudo apt-get install -y %s\n' "${missing[*]}" >&2
        printf '(or run this script as root, which installs them itself)\n' >&2
        exit 1
    fi
}

ensure_state_dir() {
    mkdir -p "${SERVICES_DIR}"
    if ((IS_ROOT)); then
        # The service accounts must be able to walk into it.
        chmod 755 "${SERVICES_DIR}"
    fi
}

take_lock() {
    if command -v flock >/dev/null 2>&1; then
        exec 9>"${SERVICES_DIR}/.lock"
        flock -w 300 9 || die "another services.sh is still running (lock ${SERVICES_DIR}/.lock)"
    fi
}

# --------------------------------------------------------------------------
# PostgreSQL

pg_ctl_() { as_user "${PG_OS_USER}" "${PG_BIN}/pg_ctl" -D "${PGDATA_DIR}" "$@"; }

pg_running() {
    [[ -n ${PG_BIN} && -s ${PGDATA_DIR}/PG_VERSION ]] || return 1
    pg_ctl_ status >/dev/null 2>&1
}

# Line 1 of postmaster.pid is the pid, line 4 the port.
pg_pid() { sed -n 1p "${PGDATA_DIR}/postmaster.pid" 2>/dev/null; }
pg_running_port() { sed -n 4p "${PGDATA_DIR}/postmaster.pid" 2>/dev/null; }

pg_psql_admin() {
    as_user "${PG_OS_USER}" "${PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 \
        -h "${PG_SOCKET_DIR}" -p "${PG_PORT}" -U "${PG_SUPERUSER}" -d postgres
}

pg_initdb() {
    local locale="C"
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        locale="C.UTF-8"
    fi
    say "creating a private PostgreSQL cluster in ${PGDATA_DIR}"
    if ! as_user "${PG_OS_USER}" "${PG_BIN}/initdb" -D "${PGDATA_DIR}" -U "${PG_SUPERUSER}" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale="${locale}" \
        >"${PG_DIR}/initdb.log" 2>&1; then
        tail -n 20 "${PG_DIR}/initdb.log" >&2 || true
        rm -rf "${PGDATA_DIR}"
        die "initdb failed (full output in ${PG_DIR}/initdb.log)"
    fi
    printf "\n# Added by scripts/services.sh\ninclude_if_exists = 'registry-services.conf'\n" \
        >>"${PGDATA_DIR}/postgresql.conf"
}

pg_write_config() {
    local conf="${PGDATA_DIR}/registry-services.conf"
    cat >"${conf}" <<EOF
# Written by scripts/services.sh on every start: a throwaway test cluster.
listen_addresses = '127.0.0.1'
port = ${PG_PORT}
unix_socket_directories = '${PG_SOCKET_DIR}'
# Durability off: fine for tests, much faster.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    own "${PG_OS_USER}" "${conf}"
}

pg_start() {
    if ((IS_ROOT)) && ! id -u "${PG_OS_USER}" >/dev/null 2>&1; then
        die "system user '${PG_OS_USER}' is missing (it comes with Debian's postgresql package: apt-get install --reinstall postgresql-common)"
    fi
    mkdir -p "${PG_DIR}" "${PG_SOCKET_DIR}"
    chmod 700 "${PG_DIR}" "${PG_SOCKET_DIR}"
    own_paths "${PG_OS_USER}" "${PG_DIR}"

    if [[ ! -s ${PGDATA_DIR}/PG_VERSION ]]; then
        rm -rf "${PGDATA_DIR}"
        pg_initdb
    fi

    if pg_running; then
        if [[ $(pg_running_port) == "${PG_PORT}" ]]; then
            say "PostgreSQL already running (pid $(pg_pid), port ${PG_PORT})"
        else
            say "PostgreSQL is running on port $(pg_running_port); restarting it on ${PG_PORT}"
            pg_ctl_ stop -m fast -w -s
        fi
    fi

    if ! pg_running; then
        if port_open "${PG_PORT}"; then
            describe_port_owner "${PG_PORT}" >&2
            die "port ${PG_PORT} on 127.0.0.1 is taken by another process; stop it or set PG_PORT"
        fi
        pg_write_config
        say "starting PostgreSQL on 127.0.0.1:${PG_PORT}"
        if ! pg_ctl_ -l "${PG_LOG}" -w -t 60 -s start; then
            tail -n 40 "${PG_LOG}" >&2 || true
            die "PostgreSQL did not start (log ${PG_LOG})"
        fi
    fi

    local i
    for ((i = 0; i < 60; i++)); do
        if "${PG_BIN}/pg_isready" -q -h 127.0.0.1 -p "${PG_PORT}"; then
            break
        fi
        sleep 0.5
    done
    "${PG_BIN}/pg_isready" -q -h 127.0.0.1 -p "${PG_PORT}" ||
        die "PostgreSQL is not accepting connections on 127.0.0.1:${PG_PORT} after 30 s (log ${PG_LOG})"

    # Role and database, idempotent. CREATEDB: Django's test runner creates test_registry.
    pg_psql_admin <<SQL
SET client_min_messages = warning;
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${DB_USER}') THEN
        CREATE ROLE ${DB_USER};
    END IF;
END
\$\$;
ALTER ROLE ${DB_USER} WITH LOGIN CREATEDB PASSWORD '${DB_PASSWORD}';
SELECT 'CREATE DATABASE ${DB_NAME} OWNER ${DB_USER}'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${DB_NAME}')\gexec
SQL

    local server_version
    server_version="$(PGCONNECT_TIMEOUT=5 "${PG_BIN}/psql" -X -A -t -c 'SHOW server_version' "${DATABASE_URL}" 2>&1)" ||
        die "cannot connect with ${DATABASE_URL}: ${server_version}"
    say "PostgreSQL ${server_version} ready: ${DATABASE_URL}"
}

pg_stop() {
    if pg_running; then
        pg_ctl_ stop -m fast -w -s
        say "PostgreSQL stopped"
    fi
}

pg_status() {
    if pg_running; then
        printf '%-14s running  pid %s, 127.0.0.1:%s, data %s\n' \
            "PostgreSQL" "$(pg_pid)" "$(pg_running_port)" "${PGDATA_DIR}"
        return 0
    fi
    printf '%-14s stopped\n' "PostgreSQL"
    return 1
}

# --------------------------------------------------------------------------
# Elasticsearch

es_pid() {
    local pid
    [[ -s ${ES_PIDFILE} ]] || return 1
    pid="$(<"${ES_PIDFILE}")"
    [[ ${pid} =~ ^[0-9]+$ ]] || return 1
    kill -0 "${pid}" 2>/dev/null || return 1
    # Guard against a recycled pid.
    tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | grep -q 'org\.elasticsearch' || return 1
    printf '%s\n' "${pid}"
}

# Every process (launcher or node) started for a distribution in our state
# folder, found by its exact -Des.path.home argument: covers a node that has
# not written its pidfile yet, or whose pidfile is gone.
es_all_pids() {
    local proc arg
    local -a args
    for proc in /proc/[0-9]*; do
        [[ -r ${proc}/cmdline ]] || continue
        mapfile -d '' args <"${proc}/cmdline" 2>/dev/null || continue
        for arg in "${args[@]}"; do
            if [[ ${arg} == "-Des.path.home=${ES_DIR}/elasticsearch-"* ]]; then
                printf '%s\n' "${proc#/proc/}"
                break
            fi
        done
    done
}

es_health() { curl -fsS -m 5 "${ELASTICSEARCH_URL}/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null; }

es_health_status() { es_health | grep -o '"status":"[a-z]*"' | cut -d'"' -f4; }

# This distribution has no rest-root module, so GET / answers 405: ask the node info instead.
es_version() {
    curl -fsS -m 5 "${ELASTICSEARCH_URL}/_nodes/_local?filter_path=nodes.*.version" 2>/dev/null |
        grep -o '"version":"[^"]*"' | head -n 1 | cut -d'"' -f4
}

es_java_home() {
    if [[ -x ${ES_HOME}/jdk/bin/java ]]; then
        return 0 # bundled JDK; leave ES_JAVA_HOME empty
    fi
    if [[ -n ${ES_JAVA_HOME:-} ]]; then
        printf '%s\n' "${ES_JAVA_HOME}"
        return 0
    fi
    local java
    java="$(command -v java)" || die "no java on PATH and this Elasticsearch bundles no JDK: install openjdk-17-jre-headless or set ES_JAVA_HOME"
    java="$(readlink -f "${java}")"
    dirname "$(dirname "${java}")"
}

es_install() {
    if [[ -f ${ES_HOME}/.registry-complete ]]; then
        return 0
    fi
    local dl="${ES_DIR}/download"
    local zip="${dl}/elasticsearch-${ES_VERSION}.zip"
    local artifact="${ES_ARTIFACT_GROUP}:elasticsearch:${ES_VERSION}:zip"
    rm -rf "${dl}"
    mkdir -p "${dl}"
    say "fetching Elasticsearch ${ES_VERSION} (${artifact}) with Maven"
    # Run in the download folder so no pom.xml around us gets involved. The
    # short `dependency:copy` works outside a project with a cached plugin;
    # the pinned plugin version is the fallback.
    if ! (cd "${dl}" && mvn -B -q dependency:copy -Dartifact="${artifact}" -DoutputDirectory="${dl}") \
        >"${dl}/mvn.log" 2>&1; then
        if ! (cd "${dl}" && mvn -B -q "${MVN_DEPENDENCY_PLUGIN}:copy" -Dartifact="${artifact}" -DoutputDirectory="${dl}") \
            >>"${dl}/mvn.log" 2>&1; then
            tail -n 30 "${dl}/mvn.log" >&2 || true
            die "Maven could not fetch ${artifact} (is ES_VERSION=${ES_VERSION} on Maven Central? log ${dl}/mvn.log)"
        fi
    fi
    [[ -f ${zip} ]] || die "Maven reported success but ${zip} is missing"
    say "unpacking into ${ES_HOME}"
    unzip -q "${zip}" -d "${dl}/unpacked" || die "could not unzip ${zip}"
    [[ -x ${dl}/unpacked/elasticsearch-${ES_VERSION}/bin/elasticsearch ]] ||
        die "${zip} does not contain elasticsearch-${ES_VERSION}/bin/elasticsearch"
    rm -rf "${ES_HOME}"
    mv "${dl}/unpacked/elasticsearch-${ES_VERSION}" "${ES_HOME}"
    touch "${ES_HOME}/.registry-complete"
    rm -rf "${dl}"
    # Drop other versions we unpacked before.
    local d
    for d in "${ES_DIR}"/elasticsearch-*; do
        if [[ -d ${d} && ${d} != "${ES_HOME}" ]]; then
            note "removing old distribution ${d}"
            rm -rf "${d}"
        fi
    done
}

es_write_config() {
    local conf="${ES_HOME}/config/elasticsearch.yml"
    # The integ-test-zip does ship x-pack-security: left alone, the first start
    # turns on TLS and passwords and writes certs/ and a keystore. Undo that if
    # an earlier run let it happen, and disable security explicitly.
    if [[ -d ${ES_HOME}/config/certs ]]; then
        rm -rf "${ES_HOME}/config/certs" "${ES_HOME}/config/elasticsearch.keystore"
    fi
    cat >"${conf}" <<EOF
# Written by scripts/services.sh on every start: a throwaway test node.
cluster.name: registry-test
node.name: registry-node
network.host: 127.0.0.1
http.port: ${ES_PORT}
transport.port: ${ES_TRANSPORT_PORT}
discovery.type: single-node
path.data: "${ES_DATA}"
path.logs: "${ES_LOGS}"
action.destructive_requires_name: false
# A nearly full disk must not turn the test indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
xpack.security.enabled: false
EOF
    own "${ES_OS_USER}" "${conf}"
}

es_configured_port() { sed -n 's/^http\.port: *//p' "${ES_HOME}/config/elasticsearch.yml" 2>/dev/null; }

ensure_es_user() {
    ((IS_ROOT)) || return 0
    if ! id -u "${ES_OS_USER}" >/dev/null 2>&1; then
        say "creating system user '${ES_OS_USER}' (Elasticsearch refuses to run as root)"
        useradd --system --no-create-home --shell /usr/sbin/nologin "${ES_OS_USER}"
    fi
}

# The most telling line of the logs, for the one-line error message.
es_guess_cause() {
    local line
    line="$(cat "${ES_LOG}" "${ES_LAUNCH_LOG}" 2>/dev/null | grep -v 'JVM arguments' |
        grep -m 1 -E 'fatal exception|bootstrap checks? failed|BindException|Address already in use|Unrecognized VM option|heap size|could not find java|UnsupportedClassVersionError|requires Java|OutOfMemoryError|AccessDeniedException|failed to obtain node locks|^ERROR: ' || true)"
    if [[ -z ${line} ]]; then
        line="no known error in the logs; see below"
    fi
    printf '%s\n' "${line:0:300}"
}

# Print the cause, the last log lines, stop a half-started node, exit 1.
es_fail() {
    local cause="$1"
    echo
    printf '%s: error: Elasticsearch is not healthy: %s\n' "${PROG}" "${cause}" >&2
    local log="${ES_LOG}"
    [[ -s ${log} ]] || log="${ES_LAUNCH_LOG}"
    if [[ -s ${log} ]]; then
        printf -- '--- last 40 lines of %s ---\n' "${log}" >&2
        tail -n 40 "${log}" >&2 || true
        printf -- '---\n' >&2
    fi
    if [[ -n $(es_all_pids) ]]; then
        printf 'stopping the unhealthy node\n' >&2
        es_stop >/dev/null 2>&1 || true
    fi
    exit 1
}

# The distribution has no analysis-common module; stemming, folding, synonyms and edge
# n-grams come from the project's own plugin (search-service/analysis-plugin). Built with Maven,
# installed when its checksum changes. Prints "changed" when it (re)installed.
es_install_plugin() {
    local zip sum java_home
    local -a cli=(env)
    zip="$("${REPO}/search-service/analysis-plugin/build.sh" | tail -n 1)" ||
        die "could not build the analysis plugin (run search-service/analysis-plugin/build.sh to see why)"
    sum="$(sha256sum "${zip}" | cut -d' ' -f1)"
    if [[ -d ${ES_HOME}/plugins/${ES_PLUGIN_NAME} && $(cat "${ES_PLUGIN_STAMP}" 2>/dev/null) == "${sum}" ]]; then
        return 0
    fi
    java_home="$(es_java_home)"
    [[ -n ${java_home} ]] && cli+=("ES_JAVA_HOME=${java_home}")
    cli+=("${ES_HOME}/bin/elasticsearch-plugin")
    if [[ -d ${ES_HOME}/plugins/${ES_PLUGIN_NAME} ]]; then
        "${cli[@]}" remove "${ES_PLUGIN_NAME}" >/dev/null 2>&1 || rm -rf "${ES_HOME}/plugins/${ES_PLUGIN_NAME}"
    fi
    "${cli[@]}" install --batch "file://${zip}" >"${ES_DIR}/plugin-install.log" 2>&1 || {
        tail -n 20 "${ES_DIR}/plugin-install.log" >&2
        die "could not install the analysis plugin from ${zip} (log ${ES_DIR}/plugin-install.log)"
    }
    own_paths "${ES_OS_USER}" "${ES_HOME}/plugins"
    printf '%s\n' "${sum}" >"${ES_PLUGIN_STAMP}"
    echo changed
}

es_start() {
    local pid plugin_changed
    ensure_es_user
    mkdir -p "${ES_DIR}"
    es_install
    say "building the registry analysis plugin"
    plugin_changed="$(es_install_plugin)"

    if pid="$(es_pid)"; then
        if [[ -n ${plugin_changed} ]]; then
            say "analysis plugin changed; restarting Elasticsearch (pid ${pid})"
            es_stop
        elif grep -qF -- "-Des.path.home=${ES_HOME}" <(tr '\0' '\n' <"/proc/${pid}/cmdline") &&
            [[ $(es_configured_port) == "${ES_PORT}" ]]; then
            say "Elasticsearch already running (pid ${pid}, port ${ES_PORT})"
        else
            say "Elasticsearch (pid ${pid}) runs another version or port; restarting it"
            es_stop
        fi
    fi

    if ! pid="$(es_pid)"; then
        if [[ -n $(es_all_pids) ]]; then
            note "cleaning up an Elasticsearch left half-started"
            es_stop >/dev/null
        fi
        if port_open "${ES_PORT}"; then
            describe_port_owner "${ES_PORT}" >&2
            die "port ${ES_PORT} on 127.0.0.1 is taken by another process; stop it or set ES_PORT"
        fi
        if port_open "${ES_TRANSPORT_PORT}"; then
            describe_port_owner "${ES_TRANSPORT_PORT}" >&2
            die "port ${ES_TRANSPORT_PORT} on 127.0.0.1 is taken by another process; stop it or set ES_TRANSPORT_PORT"
        fi
        # Data written by another version may not load: it is test data, drop it.
        if [[ -d ${ES_DATA} && $(cat "${ES_DATA_VERSION_FILE}" 2>/dev/null || true) != "${ES_VERSION}" ]]; then
            note "dropping Elasticsearch data written by another version"
            rm -rf "${ES_DATA}"
        fi
        rm -rf "${ES_TMP}" # per-start JVM scratch (final-flags*, jansi); nothing to keep
        mkdir -p "${ES_DATA}" "${ES_LOGS}" "${ES_TMP}" "${ES_RUN}"
        printf '%s\n' "${ES_VERSION}" >"${ES_DATA_VERSION_FILE}"
        es_write_config
        rm -f "${ES_PIDFILE}"
        own_paths "${ES_OS_USER}" "${ES_HOME}" "${ES_DATA}" "${ES_LOGS}" "${ES_TMP}" "${ES_RUN}"

        local java_home
        java_home="$(es_java_home)"
        local -a cmd=(env -u JAVA_HOME
            "ES_JAVA_OPTS=${ES_JAVA_OPTS}"
            "ES_TMPDIR=${ES_TMP}"
            "CLI_JAVA_OPTS=-Djava.io.tmpdir=${ES_TMP} -XX:TieredStopAtLevel=1")
        if [[ -n ${java_home} ]]; then
            cmd+=("ES_JAVA_HOME=${java_home}")
        fi
        cmd+=("${ES_HOME}/bin/elasticsearch" -d -p "${ES_PIDFILE}")

        say "starting Elasticsearch ${ES_VERSION} on ${ELASTICSEARCH_URL} (java: ${java_home:-bundled JDK})"
        # -d returns once the node has started (or failed); run it in the
        # background so we can show progress meanwhile.
        (
            trap - ERR # its failure is reported by the wait loop below
            as_user "${ES_OS_USER}" "${cmd[@]}"
        ) >"${ES_LAUNCH_LOG}" 2>&1 &
        ES_LAUNCHER_PID=$!
    else
        ES_LAUNCHER_PID=""
    fi

    local deadline=$((SECONDS + ES_HEALTH_TIMEOUT)) rc
    printf '    waiting for cluster health yellow '
    while ! es_health >/dev/null; do
        if [[ -n ${ES_LAUNCHER_PID} ]] && ! kill -0 "${ES_LAUNCHER_PID}" 2>/dev/null; then
            rc=0
            wait "${ES_LAUNCHER_PID}" || rc=$?
            ES_LAUNCHER_PID=""
            if ((rc != 0)); then
                es_fail "the launcher exited with status ${rc}: $(es_guess_cause)"
            fi
        fi
        if [[ -z ${ES_LAUNCHER_PID} ]] && ! es_pid >/dev/null; then
            es_fail "the Elasticsearch process is gone: $(es_guess_cause)"
        fi
        if ((SECONDS >= deadline)); then
            es_fail "no yellow cluster health on ${ELASTICSEARCH_URL} after ${ES_HEALTH_TIMEOUT} s"
        fi
        printf '.'
        sleep 1
    done
    echo " ok"
    if [[ -n ${ES_LAUNCHER_PID} ]]; then
        wait "${ES_LAUNCHER_PID}" || true
    fi

    local version
    version="$(es_version)"
    if [[ ${version} != "${ES_VERSION}" ]]; then
        die "the node on ${ELASTICSEARCH_URL} reports version '${version}', expected ${ES_VERSION}"
    fi
    say "Elasticsearch ${version} ready: ${ELASTICSEARCH_URL} (health $(es_health_status))"
}

es_stop() {
    local pid i stopped=0
    local -a pids
    # Rescan each round: a launcher killed mid-start may still spawn its node.
    for ((i = 0; i < 80; i++)); do
        pids=()
        if pid="$(es_pid)"; then
            pids+=("${pid}")
        fi
        mapfile -t -O "${#pids[@]}" pids < <(es_all_pids)
        ((${#pids[@]} > 0)) || break
        stopped=1
        if ((i < 60)); then
            kill -TERM "${pids[@]}" 2>/dev/null || true
        else
            ((i > 60)) || warn "Elasticsearch (pid ${pids[*]}) ignored SIGTERM for 30 s; sending SIGKILL"
            kill -KILL "${pids[@]}" 2>/dev/null || true
        fi
        sleep 0.5
    done
    rm -f "${ES_PIDFILE}"
    if ((stopped)); then
        say "Elasticsearch stopped"
    fi
}

es_status() {
    local pid
    if pid="$(es_pid)"; then
        printf '%-14s running  pid %s, %s, version %s, health %s\n' "Elasticsearch" "${pid}" \
            "${ELASTICSEARCH_URL}" "$(es_version || true)" "$(es_health_status || echo unknown)"
        return 0
    fi
    printf '%-14s stopped\n' "Elasticsearch"
    return 1
}

# --------------------------------------------------------------------------
# commands

write_env_file() {
    local tmp="${ENV_FILE}.tmp"
    cat >"${tmp}" <<EOF
DATABASE_URL=${DATABASE_URL}
ELASTICSEARCH_URL=${ELASTICSEARCH_URL}
EOF
    chmod 644 "${tmp}"
    mv -f "${tmp}" "${ENV_FILE}"
    say "wrote ${ENV_FILE}:"
    sed 's/^/    /' "${ENV_FILE}"
}

cmd_start() {
    local started=${SECONDS}
    ensure_prerequisites
    ensure_state_dir
    take_lock
    pg_start
    es_start
    write_env_file
    say "services ready in $((SECONDS - started)) s (stop with: scripts/services.sh stop)"
}

cmd_stop() {
    [[ -d ${SERVICES_DIR} ]] || return 0
    find_pg_bin
    take_lock
    pg_stop
    es_stop
}

# Elasticsearch alone: the plugin's lab check runs a private node this way.
cmd_es_start() {
    local started=${SECONDS} tool
    for tool in curl unzip mvn; do
        command -v "${tool}" >/dev/null 2>&1 || die "${tool} not found (scripts/services.sh start installs what is missing)"
    done
    ensure_state_dir
    take_lock
    es_start
    say "Elasticsearch ready in $((SECONDS - started)) s (stop with: scripts/services.sh es-stop)"
}

cmd_es_stop() {
    [[ -d ${SERVICES_DIR} ]] || return 0
    take_lock
    es_stop
}

cmd_status() {
    local rc=0
    find_pg_bin
    printf 'state folder   %s\n' "${SERVICES_DIR}"
    pg_status || rc=3
    es_status || rc=3
    if [[ -f ${ENV_FILE} ]]; then
        printf '%-14s %s\n' "env file" "${ENV_FILE}"
    else
        printf '%-14s %s (not written yet)\n' "env file" "${ENV_FILE}"
    fi
    return "${rc}"
}

cmd_install_browser() {
    if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
        say "already installed: $(/usr/bin/chromium --version 2>/dev/null || echo chromium), $(/usr/bin/chromedriver --version 2>/dev/null | head -n 1 || echo chromedriver)"
        return 0
    fi
    if ((IS_ROOT)); then
        apt_install chromium chromium-driver
        say "installed: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
    else
        printf '%s: error: chromium is not installed and only root can install it. Run:\n' "${PROG}" >&2
        printf '    sudo apt-get update && sudo apt-get install -y chromium chromium-driver\n' >&2
        exit 1
    fi
}

main() {
    if (($# != 1)); then
        usage >&2
        exit 2
    fi
    case "$1" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status || exit $? ;;
    install-browser) cmd_install_browser ;;
    env-file) printf '%s\n' "${ENV_FILE}" ;;
    es-start) cmd_es_start ;;
    es-stop) cmd_es_stop ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
}

main "$@"

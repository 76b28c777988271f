#!/usr/bin/env bash
# Build the registry-analysis Elasticsearch plugin zip and print its absolute path as the
# last line of standard output (everything else goes to standard error), e.g.
#
#   zip="$(search-service/analysis-plugin/build.sh | tail -n 1)"
#   bin/elasticsearch-plugin install --batch "file://${zip}"
#
# Skips Maven when the zip is newer than pom.xml and everything under src/. Maven reuses
# ~/.m2, so only the first build on a machine downloads anything (from Maven Central).
#
#   --force        rebuild even if the zip is up to date
#   --skip-tests   do not run the JUnit tests (also: SKIP_TESTS=1)
#
# Needs a JDK 17+ (javac) and Maven 3.6+ (Debian: openjdk-17-jdk-headless maven).

set -Eeuo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "${here}/pom.xml" | head -n 1)"
zip="${here}/target/registry-analysis-${version}.zip"

force=0
skip_tests="${SKIP_TESTS:-0}"
for arg in "$@"; do
    case "${arg}" in
        --force) force=1 ;;
        --skip-tests) skip_tests=1 ;;
        -h | --help)
            sed -n '2,16s/^# \{0,1\}//p' "$0"
            exit 0
            ;;
        *)
            echo "build.sh: unknown argument ${arg} (try --help)" >&2
            exit 2
            ;;
    esac
done

up_to_date() {
    [[ -f ${zip} ]] || return 1
    [[ -z $(find "${here}/pom.xml" "${here}/src" -newer "${zip}" -print -quit) ]]
}

if ((force == 0)) && up_to_date; then
    echo "build.sh: ${zip##*/} is up to date" >&2
    printf '%s\n' "${zip}"
    exit 0
fi

for tool in mvn javac; do
    if ! command -v "${tool}" >/dev/null 2>&1; then
        echo "build.sh: ${tool} not found: install a JDK 17+ and Maven (Debian: apt-get install openjdk-17-jdk-headless maven)" >&2
        exit 1
    fi
done

mkdir -p "${here}/target"
# One build at a time in this tree (two `services.sh start` at once, say).
exec 7>"${here}/target/.build.lock"
if command -v flock >/dev/null 2>&1; then
    flock 7
    if ((force == 0)) && up_to_date; then # built meanwhile by the holder of the lock
        printf '%s\n' "${zip}"
        exit 0
    fi
fi

log="${here}/target/build.log"
args=(-q -B -Dstyle.color=never -f "${here}/pom.xml")
if ((skip_tests)); then
    args+=(-DskipTests)
fi
echo "build.sh: building ${zip##*/} (mvn ${args[*]} package)" >&2
rm -f "${zip}"
if ! mvn "${args[@]}" package >"${log}" 2>&1; then
    echo "build.sh: Maven failed; last lines of ${log}:" >&2
    tail -n 40 "${log}" >&2
    exit 1
fi
if [[ ! -f ${zip} ]]; then
    echo "build.sh: Maven succeeded but ${zip} is missing (log: ${log})" >&2
    exit 1
fi
printf '%s\n' "${zip}"

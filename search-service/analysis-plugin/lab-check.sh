#!/usr/bin/env bash
# The decisive check of the plugin on a real node: start a private Elasticsearch with the
# plugin installed by bin/elasticsearch-plugin (through scripts/services.sh es-start, the
# same start-up as the test node, in its own state folder and on its own ports), create an
# index that uses every component, and check _analyze output and match queries against
# indexed documents. Prints "N passed, N failed", stops the node it started, and exits 1 if
# a check failed.
#
# Leaves any other node alone: it uses its own state folder and ports, and services.sh
# refuses to start if one of those ports is taken by another process.
#
# Environment: LAB_DIR (default /tmp/es-plugin-lab), LAB_HTTP_PORT (59201),
# LAB_TRANSPORT_PORT (59301), ES_VERSION (8.19.21), ES_JAVA_HOME (default: the system java),
# LAB_KEEP=1 to leave the node running afterwards (stop it with:
# SERVICES_DIR=LAB_DIR ES_PORT=LAB_HTTP_PORT scripts/services.sh es-stop).

set -Eeuo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
services="${here}/../../scripts/services.sh"
LAB="${LAB_DIR:-/tmp/es-plugin-lab}"
HTTP_PORT="${LAB_HTTP_PORT:-59201}"
ES_URL="http://127.0.0.1:${HTTP_PORT}"
INDEX=registry-analysis-check

die() {
    echo "lab-check: $*" >&2
    exit 1
}
for tool in curl jq; do
    command -v "${tool}" >/dev/null 2>&1 || die "${tool} not found"
done

lab_services() { # COMMAND: scripts/services.sh on the lab's own folder and ports
    SERVICES_DIR="${LAB}" ES_PORT="${HTTP_PORT}" ES_TRANSPORT_PORT="${LAB_TRANSPORT_PORT:-59301}" \
        "${services}" "$@"
}

# A fresh node every time: stop one a kept run left behind and drop its data.
lab_services es-stop >&2
rm -rf "${LAB}/elasticsearch/data"
if [[ ${LAB_KEEP:-0} != 1 ]]; then
    trap 'lab_services es-stop >&2' EXIT
fi
lab_services es-start >&2 || die "the node did not start (see the messages above)"

es() { # METHOD PATH [BODY]
    curl -sS -m 60 -X "$1" -H 'Content-Type: application/json' "${ES_URL}$2" ${3:+--data-binary "$3"}
}

passed=0 failed=0
check() { # NAME EXPECTED ACTUAL
    if [[ $2 == "$3" ]]; then
        passed=$((passed + 1))
        printf 'ok    %s: %s\n' "$1" "$3"
    else
        failed=$((failed + 1))
        printf 'FAIL  %s\n      expected: %s\n      actual:   %s\n' "$1" "$2" "$3"
    fi
}
tokens() { # ANALYZER TEXT -> distinct tokens, sorted
    es POST "/${INDEX}/_analyze" "$(jq -n --arg a "$1" --arg t "$2" '{analyzer: $a, text: $t}')" |
        jq -r 'if .tokens then [.tokens[].token] | unique | join(" ") else tojson end'
}
ids() { # FIELD QUERY -> ids of matching documents, sorted
    es POST "/${INDEX}/_search" "$(jq -n --arg f "$1" --arg q "$2" '{size: 50, _source: false, query: {match: {($f): $q}}}')" |
        jq -r 'if .hits then [.hits.hits[]._id] | sort | join(" ") else tojson end'
}
errors_of() { # METHOD PATH BODY -> every reason in the error, outermost first
    es "$@" | jq -r '[.error | .. | .reason? // empty] | join(" / ") | if . == "" then "no error" else . end'
}
check_has() { # NAME EXPECTED-SUBSTRING ACTUAL
    if [[ $3 == *"$2"* ]]; then check "$1" "$2" "$2"; else check "$1" "...$2..." "$3"; fi
}

synonyms='["epr, electronic patient record, electronic health record, ehr",
           "aande, ae, emergency department, accident and emergency",
           "dna, did not attend, missed appointment, no show"]'
settings="$(
    jq -n --argjson syn "${synonyms}" '{
  settings: {number_of_shards: 1, number_of_replicas: 0, analysis: {
    char_filter: {amp: {type: "registry_ampersand"}},
    filter: {
      folding: {type: "registry_asciifolding"},
      possessive: {type: "registry_english_possessive"},
      stemmer: {type: "registry_english_stemmer", algorithm: "kstem_minimal"},
      synonyms: {type: "registry_synonym_graph", synonyms: $syn, lenient: true, rule_stemmer: "kstem_minimal"},
      prefixes: {type: "registry_edge_ngram", min_gram: 1, max_gram: 20}},
    analyzer: {
      text: {tokenizer: "standard", char_filter: ["amp"], filter: ["lowercase", "folding", "possessive", "stemmer"]},
      text_search: {tokenizer: "standard", char_filter: ["amp"], filter: ["lowercase", "folding", "possessive", "stemmer", "synonyms"]},
      autocomplete: {tokenizer: "standard", char_filter: ["amp"], filter: ["lowercase", "folding", "prefixes"]},
      autocomplete_search: {tokenizer: "standard", char_filter: ["amp"], filter: ["lowercase", "folding"]}}}},
  mappings: {properties: {title: {type: "text", analyzer: "text", search_analyzer: "text_search",
    fields: {suggest: {type: "text", analyzer: "autocomplete", search_analyzer: "autocomplete_search"}}}}}}'
)"
check "create index" true "$(es PUT "/${INDEX}" "${settings}" | jq -c '.acknowledged')"

bulk=""
while IFS='|' read -r id title; do
    bulk+="$(jq -cn --arg id "${id}" '{index: {_id: $id}}')"$'\n'"$(jq -cn --arg t "${title}" '{title: $t}')"$'\n'
done <<'EOF'
dna|Cuts DNA rates in outpatient clinics
did-not-attend|Fewer patients who did not attend their appointment
missed|Missed appointments: text reminders
no-show|Halves no-shows
epr|An EPR for community nursing
ae|Streamlines A&E triage
ward|Virtual wards for heart failure
cafe|Café-style waiting rooms
EOF
check "bulk index" false "$(curl -sS -X POST -H 'Content-Type: application/x-ndjson' "${ES_URL}/${INDEX}/_bulk?refresh=true" --data-binary "${bulk}" | jq -c '.errors')"

check "Wards" "ward" "$(tokens text 'Wards')"
check "Café" "cafe" "$(tokens text 'Café')"
check "A&E" "aande" "$(tokens text 'A&E')"
check "A & E" "aande" "$(tokens text 'A & E')"
check "patient's" "patient" "$(tokens text "patient's")"
check "appointments, GPs, monitoring" "appointment gp monitor" "$(tokens text 'appointments GPs monitoring')"
check "A&E at search time" "aande accident ae and department emergency" "$(tokens text_search 'A&E')"
check "did not attend at search time" "appointment attend did dna miss no not show" "$(tokens text_search 'did not attend')"
check "autocomplete A&E Café" "a aa aan aand aande c ca caf cafe" "$(tokens autocomplete 'A&E Café')"
check "graph: dna spans the phrase" "5" "$(es POST "/${INDEX}/_analyze" '{"analyzer":"text_search","text":"did not attend"}' |
    jq -r '.tokens[] | select(.token == "dna") | .positionLength')"

check "match: did not attend" "did-not-attend dna missed no-show" "$(ids title 'did not attend')"
check "match: DNA" "did-not-attend dna missed no-show" "$(ids title 'DNA')"
check "match: missed appointments" "did-not-attend dna missed no-show" "$(ids title 'missed appointments')"
check "match: electronic patient records" "epr" "$(ids title 'electronic patient records')"
check "match: EPR" "epr" "$(ids title 'EPR')"
check "match: a & e" "ae" "$(ids title 'a & e')"
check "match: emergency department" "ae" "$(ids title 'emergency department')"
check "match: ward" "ward" "$(ids title 'ward')"
check "match: cafe" "cafe" "$(ids title 'cafe')"
check "autocomplete: vir" "ward" "$(ids title.suggest 'vir')"
check "autocomplete: caf" "cafe" "$(ids title.suggest 'caf')"

check_has "synonym graph refused at index time" \
    "analyzer [text_search] contains filters [registry_synonym_graph] that are not allowed to run in index time mode." \
    "$(errors_of PUT /bad-index "$(jq '.mappings.properties.title.analyzer = "text_search"' <<<"${settings}")")"
check_has "bad rule refused unless lenient" "(rule [a => b => c]; set lenient to skip rules that do not parse)" \
    "$(errors_of PUT /bad-index "$(jq '.settings.analysis.filter.synonyms += {lenient: false, synonyms: ["a => b => c"]}' <<<"${settings}")")"
check_has "bad algorithm refused" \
    "[registry_english_stemmer] unknown algorithm [snowball]: expected one of kstem, kstem_minimal, porter, minimal" \
    "$(errors_of PUT /bad-index "$(jq '.settings.analysis.filter.stemmer.algorithm = "snowball"' <<<"${settings}")")"

echo "${passed} passed, ${failed} failed"
((failed == 0))

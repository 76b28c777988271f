"""Judge search quality on a fixed catalogue and a judged set of queries, on both engines.

    .venv/bin/python bench/relevance.py [--database-url postgres://.../name]
        [--elasticsearch-url http://127.0.0.1:9200] [--prefix P] [--engines ...]
        [--kinds ...] [--show-misses] [--json FILE]

The catalogue (`bench/relevance/catalogue.json`, 69 products, 25 case studies and the
organisations behind them, written by hand for this benchmark) is loaded with
`import_registry` into scratch databases: a PostgreSQL database named after --database-url
with `_relevance` appended (dropped and made again each run), and an SQLite file in a
temporary folder. The PostgreSQL one is indexed into Elasticsearch under `<prefix>-relevance`
(the indices are deleted afterwards).

Every query of `bench/relevance/judgments.tsv` (kind, words, filters as a query string, and
grades 0 to 2 written from what each product is for) is asked through `GET /api/v1/search`
(Django's test client), first page only:

- `elasticsearch`: the search page's own query on Elasticsearch;
- `baseline`: a plain OR multi_match (best_fields, tie_breaker 0.3, no second pass) over the
  title, supplier, summary, body, tags, clinical areas and case-study fields of the same
  index, with the same filters, sent straight to Elasticsearch;
- `postgres`: the database engine on PostgreSQL (ELASTICSEARCH_URL empty);
- `sqlite`: the database engine on SQLite, as `make run` serves it.

It prints nDCG@10, P@3 (share of the first three results graded 1 or 2) and the share of
queries that found nothing, per kind and overall; for the `none` kind (queries that should
find nothing) only that share counts. It also prints how many queries with a judged answer
found nothing, and how many did-you-mean corrections were offered for queries that were
spelt correctly (every kind but `typo`). A case study not graded for a query takes its
product's grade minus one. Nothing is asserted here: tests/search/test_relevance_floors.py
holds floors well below the targets.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# Run as `python bench/relevance.py`, this file's folder comes first on sys.path and the
# bench's own modules could hide the project's packages: look in the project instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

CATALOGUE = HERE / "relevance" / "catalogue.json"
JUDGMENTS = HERE / "relevance" / "judgments.tsv"
PYTHON = sys.executable
ENGINES = ("elasticsearch", "baseline", "postgres", "sqlite")
TOP = 10
TARGETS = {"elasticsearch": 0.92, "postgres": 0.70, "sqlite": 0.70}
TARGET_KIND_FLOOR = 0.80
# The plain query of the baseline, over every text field of the three kinds of document;
# multi_match skips a field an index does not have.
BASELINE_FIELDS = (
    "title",
    "supplier_name",
    "summary",
    "body",
    "tags.text",
    "clinical_areas.text",
    "case_study_titles",
    "case_study_outcomes",
    "case_study_text",
    "organisation_name",
    "product_names",
    "outcomes",
)


# --- The judged set -------------------------------------------------------------------------


def load_judgments(path=JUDGMENTS, catalogue_path=CATALOGUE):
    """[{kind, query, filters: [(name, value)], grades: {id: grade}}], with case studies
    graded from their products where the line does not grade them."""
    catalogue = json.loads(Path(catalogue_path).read_text(encoding="utf-8"))
    products_of = {study["id"]: study["products"] for study in catalogue["case_studies"]}
    judged = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, query, filters, grades = [*line.split("\t"), "", ""][:4]
        grades = dict(item.split("=") for item in grades.split())
        grades = {key: int(value) for key, value in grades.items()}
        for study, products in products_of.items():
            if study not in grades:
                derived = max((grades.get(product, 0) for product in products), default=0) - 1
                if derived > 0:
                    grades[study] = derived
        judged.append(
            {
                "line": number,
                "kind": kind,
                "query": query,
                "filters": [] if filters in ("", "-") else parse_qsl(filters),
                "grades": grades,
            }
        )
    return judged


# --- Metrics --------------------------------------------------------------------------------


def dcg(gains):
    return sum((2**gain - 1) / math.log2(rank + 2) for rank, gain in enumerate(gains[:TOP]))


def ndcg(found, grades):
    ideal = dcg(sorted(grades.values(), reverse=True))
    if not ideal:
        return None
    return dcg([grades.get(doc, 0) for doc in found]) / ideal


def precision_at_3(found, grades):
    return sum(1 for doc in found[:3] if grades.get(doc, 0) > 0) / 3


def score(judged, answers):
    """{kind: {ndcg, p3, zero, n}} plus "overall", and the two counts."""
    by_kind = defaultdict(lambda: {"ndcg": [], "p3": [], "zero": [], "n": 0})
    judged_but_empty = []
    corrected = []
    for item, answer in zip(judged, answers, strict=True):
        row = by_kind[item["kind"]]
        row["n"] += 1
        row["zero"].append(1.0 if answer["total"] == 0 else 0.0)
        if any(item["grades"].values()):
            row["ndcg"].append(ndcg(answer["found"], item["grades"]))
            row["p3"].append(precision_at_3(answer["found"], item["grades"]))
            if answer["total"] == 0:
                judged_but_empty.append(item["query"])
        if item["kind"] != "typo" and answer.get("did_you_mean"):
            corrected.append(f"{item['query']} -> {answer['did_you_mean']}")
    overall = {"ndcg": [], "p3": [], "zero": [], "n": 0}
    for row in by_kind.values():
        for key in ("ndcg", "p3", "zero"):
            overall[key] += row[key]
        overall["n"] += row["n"]
    by_kind["overall"] = overall

    def mean(values):
        return sum(values) / len(values) if values else None

    table = {
        kind: {
            "ndcg": mean(row["ndcg"]),
            "p3": mean(row["p3"]),
            "zero": mean(row["zero"]),
            "n": row["n"],
        }
        for kind, row in by_kind.items()
    }
    return table, judged_but_empty, corrected


# --- Asking (in a child process with Django set up on a scratch database) --------------------


def result_id(result):
    """A result's id in the judged set: a product's slug, "cs-" and a case study's slug."""
    slug = urlsplit(result["url"]).path.rstrip("/").rsplit("/", 1)[-1]
    return f"cs-{slug}" if result["kind"] == "case_study" else slug


def ask_api(client, item):
    data = [("q", item["query"]), *item["filters"]]
    response = client.get("/api/v1/search", data, headers={"accept": "application/json"})
    if response.status_code != 200:
        raise SystemExit(f"{item['query']!r}: HTTP {response.status_code} {response.content[:300]}")
    return answer(response.json())


def ask_service(item):
    """The question ask_api puts, put straight to the search service the API calls
    (search.service.run_search), without the request around it or a line in the search
    log: the same results, in less time (tests/search/test_relevance_floors.py)."""
    from search.params import SearchParams
    from search.service import run_search

    params = SearchParams.from_request_data(
        {
            "q": item["query"],
            **{name: [v for n, v in item["filters"] if n == name] for name, _ in item["filters"]},
        }
    )
    return answer(run_search(params, channel="api", record=False).as_json())


def answer(body):
    """What the scores read from a search's JSON body."""
    return {
        "found": [result_id(result) for result in body["results"]],
        "total": body["total"],
        "did_you_mean": body.get("did_you_mean") or "",
        "engine": body["engine"],
    }


def ask_baseline(item):
    from search.client import get_client
    from search.documents import alias_name
    from search.kinds import KINDS
    from search.params import SearchParams
    from search.query import QueryBuilder
    from search.results import clean_filters

    params = SearchParams.from_request_data(
        {
            "q": item["query"],
            **{name: [v for n, v in item["filters"] if n == name] for name, _ in item["filters"]},
        }
    )
    params, _ = clean_filters(params)
    query = {
        "multi_match": {
            "query": params.query,
            "type": "best_fields",
            "tie_breaker": 0.3,
            "fields": list(BASELINE_FIELDS),
        }
    }
    filters = QueryBuilder(params).filter_clauses()
    body = {
        "query": {"bool": {"must": [query], "filter": filters}},
        "size": 20,
        "track_total_hits": True,
        "_source": ["kind", "url"],
        "sort": ["_score", {"tiebreak": {"order": "asc"}}],
    }
    raw = get_client().search(index=",".join(alias_name(kind) for kind in KINDS), body=body)
    return {
        "found": [result_id(hit["_source"]) for hit in raw["hits"]["hits"]],
        "total": raw["hits"]["total"]["value"],
        "did_you_mean": "",
        "engine": "baseline",
    }


def child(args):
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    judged = load_judgments()
    call_command("migrate", "--no-input", verbosity=0)
    # The site's cache lives in a database table (config/page_cache.py); publishing writes to it.
    call_command("createcachetable", verbosity=0)
    call_command("import_registry", str(CATALOGUE), verbosity=0)
    engines = args.child.split(",")
    client = Client()
    out = {}
    if {"elasticsearch", "baseline"} & set(engines):
        from search import indexing
        from search.client import get_client
        from search.kinds import KINDS

        for kind in KINDS:
            indexing.rebuild(kind)
        get_client().indices.refresh(index=f"{os.environ['SEARCH_INDEX_PREFIX']}-*")
        try:
            if "elasticsearch" in engines:
                out["elasticsearch"] = [ask_api(client, item) for item in judged]
                wrong = {answer["engine"] for answer in out["elasticsearch"]} - {"elasticsearch"}
                if wrong:
                    raise SystemExit(f"Elasticsearch did not answer every query: {wrong}")
            if "baseline" in engines:
                out["baseline"] = [ask_baseline(item) for item in judged]
        finally:
            get_client().indices.delete(
                index=f"{os.environ['SEARCH_INDEX_PREFIX']}-*", ignore_unavailable=True
            )
    for engine in ("postgres", "sqlite"):
        if engine in engines:
            with override_settings(ELASTICSEARCH_URL=""):
                out[engine] = [ask_api(client, item) for item in judged]
    Path(args.output).write_text(json.dumps(out), encoding="utf-8")


def recreate_database(database_url):
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')


def run_child(engines, env):
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "answers.json"
        subprocess.run(
            [
                PYTHON,
                str(Path(__file__).resolve()),
                "--child",
                ",".join(engines),
                "--output",
                str(output),
            ],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return json.loads(output.read_text(encoding="utf-8"))


# --- Printing -------------------------------------------------------------------------------


def fmt(value, percent=False):
    if value is None:
        return "   -  "
    return f"{value * 100:5.1f}%" if percent else f"{value:6.3f}"


def print_tables(judged, answers, show_misses=False):
    kinds = [*dict.fromkeys(item["kind"] for item in judged), "overall"]
    tables = {}
    for engine, engine_answers in answers.items():
        tables[engine], empty, corrected = score(judged, engine_answers)
        tables[engine]["_empty"] = empty
        tables[engine]["_corrected"] = corrected
    engines = list(answers)
    print(f"{len(judged)} queries; nDCG@{TOP} / P@3 / share finding nothing, per kind\n")
    header = f"{'kind':<11} {'n':>3} " + " ".join(f"{engine:^24}" for engine in engines)
    print(header)
    print("-" * len(header))
    for kind in kinds:
        row = [f"{kind:<11} {tables[engines[0]][kind]['n']:>3} "]
        for engine in engines:
            cell = tables[engine][kind]
            row.append(f"{fmt(cell['ndcg'])} {fmt(cell['p3'])} {fmt(cell['zero'], True)}  ")
        print("".join(row))
    print()
    for engine in engines:
        empty, corrected = tables[engine]["_empty"], tables[engine]["_corrected"]
        target = TARGETS.get(engine)
        overall = tables[engine]["overall"]["ndcg"]
        low_kinds = [
            kind
            for kind in kinds
            if tables[engine][kind]["ndcg"] is not None
            and tables[engine][kind]["ndcg"] < TARGET_KIND_FLOOR
        ]
        line = (
            f"{engine}: nDCG@{TOP} {overall:.3f}"
            + (f" (target {target})" if target else "")
            + f"; judged queries finding nothing: {len(empty)}"
            + f"; corrections for correctly spelt queries: {len(corrected)}"
        )
        if engine == "elasticsearch":
            line += f"; kinds below {TARGET_KIND_FLOOR}: {', '.join(low_kinds) or 'none'}"
        print(line)
        if show_misses:
            for query in empty:
                print(f"    nothing found: {query}")
            for text in corrected:
                print(f"    corrected: {text}")
    if "elasticsearch" in tables and "baseline" in tables:
        diff = tables["elasticsearch"]["overall"]["ndcg"] - tables["baseline"]["overall"]["ndcg"]
        print(f"elasticsearch minus baseline: {diff:+.3f}")
    return tables


def print_misses(judged, answers, engine, limit=0.8):
    """The queries an engine scores worst on, with what it found: where to look next."""
    print(f"\n{engine}: queries below nDCG {limit}")
    for item, answer in zip(judged, answers[engine], strict=True):
        value = ndcg(answer["found"], item["grades"]) if any(item["grades"].values()) else None
        wrong_none = item["kind"] == "none" and answer["total"]
        if (value is not None and value < limit) or wrong_none:
            wanted = sorted(item["grades"], key=lambda doc: -item["grades"][doc])[:4]
            shown = "-" if value is None else f"{value:.2f}"
            print(
                f"  [{item['kind']}] {item['query']!r} {dict(item['filters']) or ''} {shown}"
                f" found {answer['found'][:5]} wanted {wanted}"
            )


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "DATABASE_URL", "postgres://registry:registry@127.0.0.1:55432/registry"
        ),
        help="a PostgreSQL address; the scratch database is its name + _relevance",
    )
    parser.add_argument(
        "--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200")
    )
    parser.add_argument(
        "--prefix", default=os.environ.get("SEARCH_INDEX_PREFIX", "bench"), help="index prefix"
    )
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated")
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="reuse the scratch PostgreSQL database of the last run (quicker: the import "
        "then changes nothing)",
    )
    parser.add_argument("--show-misses", action="store_true", help="list the weakest queries")
    parser.add_argument("--json", help="write the answers and scores to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    return parser.parse_args()


def measure(engines, database_url, elasticsearch_url, prefix, keep_database=False):
    """{engine: [answer per judged query]} for the engines asked for."""
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "LOG_LEVEL": "ERROR",
        "SEARCH_INDEX_PREFIX": f"{prefix}-relevance",
    }
    answers = {}
    on_postgres = [engine for engine in engines if engine != "sqlite"]
    if on_postgres:
        scratch = f"{database_url}_relevance"
        if not keep_database:
            recreate_database(scratch)
        env = {**base_env, "DATABASE_URL": scratch, "ELASTICSEARCH_URL": elasticsearch_url}
        answers.update(run_child(on_postgres, env))
    if "sqlite" in engines:
        with tempfile.TemporaryDirectory() as folder:
            env = {
                **base_env,
                "DATABASE_URL": f"sqlite:///{folder}/relevance.sqlite3",
                "ELASTICSEARCH_URL": "",
            }
            answers.update(run_child(["sqlite"], env))
    return {engine: answers[engine] for engine in engines if engine in answers}


def main():
    args = parse_args()
    if args.child:
        child(args)
        return
    engines = [engine for engine in args.engines.split(",") if engine]
    judged = load_judgments()
    answers = measure(
        engines, args.database_url, args.elasticsearch_url, args.prefix, args.keep_database
    )
    tables = print_tables(judged, answers, show_misses=args.show_misses)
    if args.show_misses:
        for engine in answers:
            print_misses(judged, answers, engine)
    if args.json:
        Path(args.json).write_text(json.dumps({"answers": answers, "scores": tables}, indent=1))


if __name__ == "__main__":
    main()

"""The importer reports bad encoding, control characters and excessive nesting as problems
with their JSON path, and imports nothing (issue 12, finding 6)."""

import pytest

from registry.models import ProductPage
from tests.interchange.test_import_export import catalogue_snapshot, example, problems

pytestmark = pytest.mark.django_db


def _with_summary(text):
    document = example()
    document["products"][0]["summary"] = text
    return document


def test_a_lone_surrogate_is_a_problem_at_its_path_not_a_traceback(tmp_path):
    # A lone surrogate can only arrive as a JSON escape: write the text by hand.
    import json

    text = json.dumps(_with_summary("PLACEHOLDER"), ensure_ascii=True).replace(
        "PLACEHOLDER", "broken \\ud83d text"
    )
    before = catalogue_snapshot()
    lines = problems(tmp_path, text)
    assert lines == [
        "$.products[0].summary: The text has a broken character (U+D83D, half of a character "
        "pair): the file was not saved as UTF-8 correctly. Save it again as UTF-8."
    ]
    assert catalogue_snapshot() == before


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f"])
def test_control_characters_are_problems_at_their_path(tmp_path, character):
    lines = problems(tmp_path, _with_summary(f"Helps{character}people"))
    assert len(lines) == 1
    assert lines[0].startswith("$.products[0].summary: The text contains a control character")
    assert not ProductPage.objects.exists()


def test_tabs_and_line_breaks_are_text(tmp_path):
    from tests.interchange.test_import_export import run

    stdout, _ = run(tmp_path, _with_summary("Line one\nline two\twith a tab"), "--dry-run")
    assert "Dry run: the file is valid" in stdout


def test_deep_nesting_is_a_problem_not_a_crash(tmp_path):
    document = example()
    deep = "x"
    for _ in range(40):
        deep = [deep]
    document["products"][0]["summary"] = deep
    lines = problems(tmp_path, document)
    assert any(
        line.startswith("$.products[0].summary") and "nests more than 32 levels" in line
        for line in lines
    )


def test_nesting_too_deep_for_the_json_reader_is_reported_at_the_top(tmp_path):
    lines = problems(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert lines == [
        "$: The file nests more than 32 levels deep here; a catalogue file never needs that. "
        "Check how the file was made."
    ]

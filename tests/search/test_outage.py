"""Elasticsearch down: publishing still works, nothing is lost, and it all arrives later.

The shared node is never stopped; "down" is the app pointed at a closed port.
"""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from registry.models import ProductPage
from search import indexing, queue
from search.drift import find_drift
from search.models import IndexChange

from ..registry.factories import ProductFactory
from .indices import indexed, private_indices
from .outage import CLOSED_PORT_URL, elasticsearch_at
from .queueing import drain, queued

pytestmark = [pytest.mark.django_db, pytest.mark.elasticsearch]


@pytest.fixture
def index(es_client):
    with private_indices(es_client):
        for kind in queue.KINDS:
            indexing.rebuild(kind)
        yield es_client


def test_nothing_is_lost_while_elasticsearch_is_down(index, capsys):
    kept = ProductFactory(title="Published before the outage")
    gone = ProductFactory(title="Unpublished during the outage")
    drain()

    with elasticsearch_at(CLOSED_PORT_URL):
        started = timezone.now()
        published = ProductFactory(title="Published during the outage")  # does not fail
        ProductPage.objects.get(pk=gone.pk).unpublish()
        assert queued() == [("product", gone.pk), ("product", published.pk)]

        result = queue.drain()

        assert (result.failed, result.indexed, result.deleted) == (2, 0, 0)
        rows = list(IndexChange.objects.all())
        assert rows and all(row.attempts == 1 for row in rows)
        assert all(row.available_at > started for row in rows)  # backed off
        assert "did not answer" in rows[0].last_error
        assert "make services" in rows[0].last_error
        # Not due again yet: a second pass leaves them alone.
        assert queue.drain().claimed == 0
        # The command says why, and fails, so a script notices.
        IndexChange.objects.update(available_at=timezone.now())
        with pytest.raises(CommandError, match="did not answer"):
            call_command("search_worker", "--once")
        assert {row.attempts for row in IndexChange.objects.all()} == {2}

    # Elasticsearch is back; skip the rest of the backoff wait.
    IndexChange.objects.update(available_at=timezone.now())
    drain()

    assert IndexChange.objects.count() == 0
    assert indexed(index, "product", published.pk)["title"] == "Published during the outage"
    assert indexed(index, "product", gone.pk) is None
    assert indexed(index, "product", kept.pk)
    assert find_drift("product").clean
    capsys.readouterr()
    call_command("search_index", "check")
    assert "The index matches the database." in capsys.readouterr().out


def test_the_commands_name_the_cause_and_the_fix_when_elasticsearch_is_down(index):
    with elasticsearch_at(CLOSED_PORT_URL), pytest.raises(CommandError) as error:
        call_command("search_index", "status")
    message = str(error.value)
    assert message.startswith(f"Elasticsearch at {CLOSED_PORT_URL} did not answer")
    assert "make services" in message

"""The broker's package list (issue 10, beyond the findings): search by name, Mosaic ID or
postcode, a name column, sortable columns, and filters that survive navigation."""

import re

from django.test import Client

from carebroker.accounts.models import User
from carebroker.engine.vocabulary import LIVE
from carebroker.sourcing.models import Package
from tests.web.conftest import NOW
from tests.web.pages import clock


def _client(username: str = "kent-broker") -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _shown(page: str) -> list[str]:
    return re.findall(r'data-package="(\d+)"', page)


def _live(prefix: str = "kent"):
    return Package.objects.filter(council__slug=f"demo-{prefix}", status__in=LIVE)


def test_search_finds_a_package_by_surname_mosaic_id_or_postcode(demo, db):
    package = _live().select_related("person").order_by("case_number").first()
    surname = package.person.name.split()[-1]
    postcode = package.person.postcode
    client = _client()
    with clock(NOW):
        by_name = client.get("/packages/", {"q": surname.lower()}).content.decode()
        by_id = client.get("/packages/", {"q": package.case_number}).content.decode()
        by_postcode = client.get("/packages/", {"q": postcode.replace(" ", "").lower()})
    named = _live().filter(person__name__icontains=surname)
    assert sorted(_shown(by_name)) == sorted(named.values_list("case_number", flat=True))
    assert _shown(by_id) == [package.case_number]
    assert package.case_number in _shown(by_postcode.content.decode())
    assert package.person.name in by_id  # the name column


def test_sorting_by_name_orders_the_rows_by_name(demo, db):
    with clock(NOW):
        page = _client().get("/packages/", {"sort": "name"}).content.decode()
    names = re.findall(r"data-person-name>([^<]+)<", page)
    assert len(names) > 10
    assert names == sorted(names)
    assert 'aria-sort="ascending"' in page


def test_filters_survive_leaving_the_list_and_clear_forgets_them(demo, db):
    area = _live().first().area
    client = _client()
    with clock(NOW):
        client.get("/packages/", {"area": area.pk, "sort": "start"})
        back = client.get("/packages/")
        assert back.status_code == 302
        assert f"area={area.pk}" in back["Location"] and "sort=start" in back["Location"]
        package = _live().filter(area=area).first()
        page = client.get(f"/packages/{package.case_number}/").content.decode()
        assert f"/packages/?area={area.pk}" in page  # the back link keeps them
        cleared = client.get("/packages/", {"clear": "1"})
        assert client.get(cleared["Location"]).status_code == 200
    assert client.get("/packages/").status_code == 200

"""The methodology page: what the scale means, how stances are assigned, what
each attribution level means, how shifts, corrections and retractions work."""

import lxml.html
import pytest


def items(page, xpath):
    return [" ".join(e.text_content().split()) for e in lxml.html.fromstring(page).xpath(xpath)]


@pytest.mark.django_db
def test_the_methodology_page_explains_the_scale_attribution_and_corrections(client):
    page = client.get("/methodology/").content.decode()
    assert items(page, "//ul[@class='scale']/li") == [
        "−2 · strongly towards the low pole",
        "−1 · leaning towards the low pole",
        "0 · between the poles",
        "+1 · leaning towards the high pole",
        "+2 · strongly towards the high pole",
    ]
    assert items(page, "//*[@id='answers']//li") == [
        "Supports", "Opposes", "Supports with conditions", "Undecided",
    ]  # fmt: skip
    levels = items(page, "//*[@id='attribution']//dt")
    assert levels == [
        "On the record", "Through a spokesperson", "Anonymous officials",
        "Outlet's own report", "Editor's inference",
    ]  # fmt: skip
    meanings = items(page, "//*[@id='attribution']//dd")
    assert len(meanings) == 5 and meanings[0].startswith("The actor said it in public")
    assert "never counts towards the independent outlets" in meanings[4]
    ratings = items(page, "//*[@id='ratings']//dt")
    assert ratings == ["Full flop", "Half flip", "Firmed up", "Softened"]
    assert items(page, "//*[@id='ratings']//dd")[0].startswith("crossed the middle of the scale")
    for section in ("assigned", "shifts", "diverge", "corrections"):
        assert items(page, f"//section[@id='{section}']//p"), section
    corrections = " ".join(items(page, "//section[@id='corrections']//p"))
    assert "struck through" in corrections and "reason" in corrections


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/debates/", "/actors/", "/export/"])
def test_every_page_links_to_the_methodology(client, url):
    page = client.get(url).content.decode()
    assert items(page, "//footer//a[@href='/methodology/']") == ["How we track positions"]


@pytest.mark.django_db
def test_the_methodology_is_in_the_sitemap_and_reads_no_data(
    client, settings, django_assert_num_queries
):
    settings.TRACKER_SITE_URL = "https://tracker.example"
    assert "https://tracker.example/methodology/" in client.get("/sitemap.xml").content.decode()
    with django_assert_num_queries(1):  # the change stamp for conditional GET
        assert client.get("/methodology/").status_code == 200

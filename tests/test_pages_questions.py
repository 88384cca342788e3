"""Written question pages: a single question, questions grouped under one answer, Lords
written answers, redirects from question ids and superseded ids."""
from __future__ import annotations

import lxml.html
import pytest
from fastapi.testclient import TestClient

from despatchbox.web.app import create_app


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), follow_redirects=False)


def main_text(client, url) -> str:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return " ".join(lxml.html.fromstring(r.text).get_element_by_id("main").text_content().split())


def test_written_answer(client):
    text = main_text(client, "/written-question/wrans/2009-10-28c.295693.h")
    assert "Animal Experiments: Primates" in text
    assert "Asked by: Katy Clark (Labour - Ayrshire North & Arran)" in text
    assert ("Question to the Home Office: To ask the Secretary of State for the Home Department how many "
            "procedures carried out on animals in Scotland in 2008") in text
    assert "Answered by Meg Hillier - Parliamentary Under-Secretary (Home Office)" in text
    assert "The total number of scientific procedures started using New World Primates in Scotland in 2008 was 37" in text
    assert "Answered Wednesday 28th October 2009" in text


def test_answer_with_a_minister_of_state(client):
    text = main_text(client, "/written-question/wrans/2009-10-26f.294335.h")
    assert "Asked by: Iris Robinson (Democratic Unionist Party - Strangford)" in text
    assert "Question to the Northern Ireland Office:" in text
    assert "Answered by Paul Goggins - Minister of State (Northern Ireland Office)" in text
    assert "There is a 64-bed dormitory accommodation unit (Sperrin) at Magilligan Prison" in text


def test_grouped_questions_sharing_one_answer_show_all(client):
    text = main_text(client, "/written-question/wrans/2009-10-26f.290476.h")
    for asker in ("Bob Neill (Conservative - Bromley & Chislehurst)", "Grant Shapps (Conservative - Welwyn Hatfield)",
                  "Lynne Featherstone (Liberal Democrat - Hornsey & Wood Green)"):
        assert f"Asked by: {asker}" in text
    assert text.count("Question to the Department for Communities and Local Government:") == 3
    assert text.count("Answered by John Healey") == 1


def test_lords_written_answer(client):
    text = main_text(client, "/written-question/wrans/2009-10-26a.101.0")
    assert "Armed Forces: Unmanned Aircraft" in text
    assert "Lords Written Answers" in text
    assert "Asked by: Lord Moonie" in text
    assert "Question to the Ministry of Defence:" in text
    assert "Answered by Baroness Taylor of Bolton" in text


def test_question_ids_and_old_ids_redirect(client):
    r = client.get("/written-question/wrans/2009-10-26f.294335.q0")          # the question's own id
    assert r.status_code == 301 and r.headers["location"] == "/written-question/wrans/2009-10-26f.294335.h"
    r = client.get("/written-question/wrans/2009-10-26f.294343.h")           # merged into 294335 (altques)
    assert r.status_code == 301 and r.headers["location"] == "/written-question/wrans/2009-10-26f.294335.h"
    r = client.get("/written-question/wrans/2009-10-26f.1.h")
    assert r.status_code == 404 and "There is no written question with the id" in r.text


def test_member_page_links_to_written_questions(client):
    doc = lxml.html.fromstring(client.get("/mp/meg-hillier").text)
    assert doc.xpath('//section[@id="recent"]//a[@href="/written-question/wrans/2009-10-28c.295693.h"]')

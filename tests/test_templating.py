"""web/templating: every page template reads the environment's own globals dict (no ChainMap per
template), a global registered after a template is loaded is still seen, and a template cannot be
given globals of its own through the environment (they would be written into the shared dict)."""
from __future__ import annotations

import jinja2
import pytest

from despatchbox.web.templating import PageEnvironment


def _env(templates: dict[str, str]) -> PageEnvironment:
    return PageEnvironment(loader=jinja2.DictLoader(templates), autoescape=True)


def test_templates_read_the_environment_globals_dict():
    env = _env({"page.html": "{{ site() }}", "macros.html": "{% macro m() %}{{ site() }}{% endmacro %}"})
    env.globals["site"] = lambda: "despatchbox"
    page = env.get_template("page.html")
    assert page.globals is env.globals                      # Jinja's own: a ChainMap over them
    assert env.get_template("macros.html").globals is env.globals
    assert env.from_string("{{ site() }}").globals is env.globals
    assert page.render() == "despatchbox"


def test_a_global_registered_later_is_seen_as_plain_jinja_sees_it():
    """Includes and the render's own names see a global registered after the template was loaded; an
    imported macro module is made once and kept (Jinja's own caching, unchanged)."""
    templates = {"page.html": "{% from 'macros.html' import m %}{{ m() }} {% include 'part.html' %} {{ late() }}",
                 "macros.html": "{% macro m() %}{{ late() }}{% endmacro %}",
                 "part.html": "{{ late() }}!"}
    seen = []
    for env in (jinja2.Environment(loader=jinja2.DictLoader(templates), autoescape=True), _env(templates)):
        env.globals["late"] = lambda: "before"
        page = env.get_template("page.html")
        first = page.render()
        env.globals["late"] = lambda: "after"
        seen.append((first, page.render()))
    assert seen[0] == seen[1] == ("before before! before", "before after! after")


def test_template_globals_of_its_own_are_refused():
    env = _env({"page.html": "x"})
    with pytest.raises(ValueError):
        env.get_template("page.html", globals={"x": 1})
    with pytest.raises(ValueError):
        env.select_template(["page.html"], globals={"x": 1})
    assert "x" not in env.globals
    # given to a template made from a string, they stay that template's (Jinja's ChainMap)
    own = env.from_string("{{ x }}", globals={"x": 2})
    assert own.render() == "2" and "x" not in env.globals


def test_the_render_context_and_imports_see_the_same_names_as_jinja():
    """The names a render sees are those plain Jinja gives the same template (the render context is
    the globals and the render's variables, a variable winning over a global of the same name)."""
    source = "{{ a }} {{ b }} {{ range(2)|list }}"
    plain = jinja2.Environment(autoescape=True)
    plain.globals["a"] = "global"
    ours = PageEnvironment(autoescape=True)
    ours.globals["a"] = "global"
    for variables in ({"b": 1}, {"a": "mine", "b": 2}):
        assert ours.from_string(source).render(**variables) == plain.from_string(source).render(**variables)
    assert ours.globals["a"] == "global"

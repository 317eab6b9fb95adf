"""The one YAML loader: a key given twice refused (with the caller's message), line numbers,
every scalar as text when asked."""

from __future__ import annotations

import pytest
import yaml

from ictscore.yamlfile import line_of, load_yaml, parse_yaml

DOC = """\
id: x
criteria:
  - id: "1"
    max: 5
  - id: "2"
    children:
      - {id: "2.1", max: 3}
"""


def test_values_are_typed_and_located():
    data, root = parse_yaml(DOC)
    assert data["criteria"][0]["max"] == 5
    assert line_of(root, ("criteria", 0, "max")) == 4
    assert line_of(root, ("criteria", 1, "children", 0, "max")) == 7
    assert line_of(root, ("criteria", 9, "max")) == 2  # as deep as the document goes
    assert line_of(None, ("id",)) == 1


def test_a_key_given_twice_is_refused_where_it_is():
    with pytest.raises(yaml.YAMLError, match="duplicate key 'max'") as info:
        load_yaml("a: 1\nb:\n  max: 1\n  max: 2\n")
    assert info.value.problem_mark.line + 1 == 4


def test_text_scalars_keep_what_was_typed_and_the_message_is_the_callers():
    assert load_yaml("3.10: 3.1\n'1': 2\n", text_scalars=True) == {"3.10": "3.1", "1": "2"}
    with pytest.raises(yaml.YAMLError, match="old id 1 is mapped twice"):
        load_yaml("1: 2\n1: 3\n", text_scalars=True, duplicate="old id {key} is mapped twice")


def test_keys_must_be_plain_and_nothing_but_data_is_built():
    with pytest.raises(yaml.YAMLError, match="a key must be plain text"):
        load_yaml("? [a, b]\n: c\n")
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']\n")

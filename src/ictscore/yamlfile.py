"""Reading YAML safely: the one loader that refuses a key given twice, and line numbers.

YAML itself keeps the last of two equal keys in a mapping, silently; a rubric or a criterion
mapping that says `max:` twice is a mistake worth stopping on. `parse_yaml` refuses it with a
located `yaml.YAMLError` (its message is the caller's: `duplicate="old id {key} is mapped
twice"`), and returns the node tree with the data, so that `line_of` can say on which line a
value sits. `text_scalars=True` reads every scalar as text (3.10 stays "3.10", not the number
3.1). Only plain data is ever built (the safe and base loaders): never an object.

Foundation level: imports nothing from ictscore.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import yaml

DUPLICATE_KEY = "duplicate key {key!r}"
"""The default message for a key given twice (`str.format` with `key`)."""

_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (its wheels do): a rubric parses ten times faster."""


class _UniqueKeys:
    """What a unique-key loader knows besides its base class: how to read keys, what to say."""

    text_scalars: bool = False
    duplicate: str = DUPLICATE_KEY


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if loader.text_scalars:
            key = str(key)
        elif not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, loader.duplicate.format(key=key), key_node.start_mark
            )
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=deep)
    if loader.text_scalars:
        return {str(k): v for k, v in mapping.items()}
    return mapping


@cache
def _loader(text_scalars: bool, duplicate: str) -> type[Any]:
    """The loader class for one way of reading (made once): safe, or every scalar as text."""
    # NOTE: the text loader is PyYAML's pure-Python BaseLoader, as before; its error messages
    # are the ones users have seen (libyaml words some of them differently).
    base: type[Any] = yaml.BaseLoader if text_scalars else _SafeLoader
    loader: type[Any] = type(
        "UniqueKeyLoader",
        (_UniqueKeys, base),
        {"text_scalars": text_scalars, "duplicate": duplicate},
    )
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    return loader


def parse_yaml(
    text: str, *, text_scalars: bool = False, duplicate: str = DUPLICATE_KEY
) -> tuple[Any, yaml.Node | None]:
    """The document and its node tree (for `line_of`), from one parse. Raises yaml.YAMLError,
    located, for text that is not YAML or has a key twice in one mapping."""
    loader = _loader(text_scalars, duplicate)(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return data, root


def load_yaml(text: str, *, text_scalars: bool = False, duplicate: str = DUPLICATE_KEY) -> Any:
    """The document only (see `parse_yaml`)."""
    return parse_yaml(text, text_scalars=text_scalars, duplicate=duplicate)[0]


def line_of(root: yaml.Node | None, loc: Sequence[str | int]) -> int:
    """The line (1-based) of the deepest node on `loc` (mapping keys and sequence indexes:
    ('criteria', 2, 'max')) that the document has."""
    node = root
    line = 1 if root is None else root.start_mark.line + 1
    for part in loc:
        nxt: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    nxt, line = value, key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            nxt = node.value[part]
            line = nxt.start_mark.line + 1
        if nxt is None:
            break
        node = nxt
    return line

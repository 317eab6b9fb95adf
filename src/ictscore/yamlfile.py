"""Reading YAML safely: the one loader that refuses a key given twice, and line numbers.

YAML itself keeps the last of two equal keys in a mapping, silently; a rubric or a criterion
mapping that says `max:` twice is a mistake worth stopping on. `parse_yaml` refuses it with a
located `yaml.YAMLError` (its message is the caller's: `duplicate="old id {key} is mapped
twice"`), and returns the node tree with the data, so that `line_of` can say on which line a
value sits. `text_scalars=True` reads every scalar as text (3.10 stays "3.10", not the number
3.1). Only plain data is ever built (the safe and base loaders): never an object.

Aliases (`*name`, and merge keys `<<: *name`) repeat what an anchor names without copying it,
so a small document can stand for an enormous one ("billion laughs": 8 levels of 10 aliases are
10^8 values for whoever walks it). `parse_yaml` counts the values the document stands for,
each alias as a copy of what it names, and refuses more than `MAX_NODES`
(`TooManyNodesError`), before anything is built from it.

Foundation level: imports nothing from ictscore.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, Final

import yaml

MAX_NODES: Final = 100_000
"""The values a document may stand for, aliases expanded (a rubric has about a thousand)."""

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


class TooManyNodesError(yaml.YAMLError):
    """A document that stands for more than `MAX_NODES` values once its aliases are expanded,
    or for a value that holds itself."""

    def __init__(self, problem: str, mark: yaml.Mark | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


def parse_yaml(
    text: str,
    *,
    text_scalars: bool = False,
    duplicate: str = DUPLICATE_KEY,
    max_nodes: int = MAX_NODES,
) -> tuple[Any, yaml.Node | None]:
    """The document and its node tree (for `line_of`), from one parse. Raises yaml.YAMLError,
    located, for text that is not YAML or has a key twice in one mapping; TooManyNodesError
    (a YAMLError) for a document of more than `max_nodes` values, aliases expanded."""
    loader = _loader(text_scalars, duplicate)(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_expansion(root, max_nodes)
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return data, root


def _check_expansion(root: yaml.Node, limit: int) -> None:
    """Count the values `root` stands for, each alias as a copy of what it names (each node
    counted once, its size remembered: linear in the document); TooManyNodesError above
    `limit`, or for a node inside itself."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # the nodes being counted: the current node's ancestors
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, counted = stack.pop()
        key = id(node)
        if counted:
            open_nodes.discard(key)
            sizes[key] = size = 1 + sum(sizes[id(child)] for child in _children(node))
            if size > limit:
                raise TooManyNodesError(
                    f"the document stands for more than {limit:,} values once its aliases "
                    "(*name) are expanded: refused",
                    node.start_mark,
                )
        elif key in open_nodes:
            raise TooManyNodesError(
                "an alias (*name) inside the value its anchor (&name) names: refused",
                node.start_mark,
            )
        elif key not in sizes:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


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

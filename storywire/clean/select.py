"""CSS selectors for the rule table, matched in one Python pass over the tree.

libxml2's XPath (what lxml.cssselect compiles to) walks the whole tree once per selector: ~100 ms
for the default table on a 0.5 MB page, against ~10 ms for one pass that looks each element up
by tag, class, id and attribute name. Compound selectors (``tag#id.class[attr op value]``) take
that fast path; anything else (combinators, pseudo-classes) still goes through cssselect's XPath.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from cssselect import HTMLTranslator, SelectorError
from cssselect import parse as parse_css
from cssselect.parser import Attrib, Class, Element, Hash, Selector, Tree
from lxml import etree
from lxml.html import HtmlElement

_TRANSLATOR: Final = HTMLTranslator()


@dataclass(frozen=True, slots=True)
class _Compound:
    tag: str | None = None
    ids: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str, str], ...] = ()  # (name, operator, value)

    def matches(self, el: etree._Element) -> bool:
        if self.tag is not None and el.tag != self.tag:
            return False
        if self.ids and el.get("id") not in self.ids:
            return False
        if self.classes:
            tokens = (el.get("class") or "").split()
            if not all(name in tokens for name in self.classes):
                return False
        return all(_attribute_matches(el.get(n), op, v) for n, op, v in self.attributes)


_OPERATORS: Final[dict[str, Callable[[str, str], bool]]] = {
    "exists": lambda actual, value: True,
    "=": lambda actual, value: actual == value,
    "~=": lambda actual, value: value in actual.split(),
    "|=": lambda actual, value: actual == value or actual.startswith(value + "-"),
    "^=": lambda actual, value: bool(value) and actual.startswith(value),
    "$=": lambda actual, value: bool(value) and actual.endswith(value),
    "*=": lambda actual, value: bool(value) and value in actual,
    "!=": lambda actual, value: actual != value,
}


_AS_REGEX: Final = {"*=": "{}", "^=": "^{}", "=": "^{}\\Z"}


def _attribute_matches(actual: str | None, operator: str, value: str) -> bool:
    test = _OPERATORS.get(operator)
    return actual is not None and test is not None and test(actual, value)


def _compound(tree: Tree) -> _Compound | None:
    """The compound selector as data, or None when it needs the general (XPath) path."""
    tag: str | None = None
    ids: list[str] = []
    classes: list[str] = []
    attributes: list[tuple[str, str, str]] = []
    node: Tree = tree
    while True:
        if isinstance(node, Class):
            classes.append(node.class_name)
            node = node.selector
        elif isinstance(node, Hash):
            ids.append(node.id)
            node = node.selector
        elif isinstance(node, Attrib) and node.namespace is None:
            value = node.value.value if node.value is not None else ""
            attributes.append((node.attrib.lower(), node.operator, str(value)))
            node = node.selector
        elif isinstance(node, Element) and node.namespace is None:
            tag = node.element.lower() if node.element not in (None, "*") else None
            break
        else:
            return None
    if len(set(ids)) > 1:
        return None  # a#x#y matches nothing; not worth a special case
    return _Compound(tag, tuple(ids), tuple(classes), tuple(attributes))


@dataclass(slots=True)
class Matcher:
    """Finds the elements matching any of a group of selectors."""

    by_tag: dict[str, list[_Compound]] = field(default_factory=dict)
    by_class: dict[str, list[_Compound]] = field(default_factory=dict)
    by_id: dict[str, list[_Compound]] = field(default_factory=dict)
    by_attribute: dict[str, list[_Compound]] = field(default_factory=dict)
    anything: list[_Compound] = field(default_factory=list)
    # tag[attr*=v], tag[attr^=v], tag[attr=v] (most of the rule table): one regex per
    # (tag, attr) instead of one test per selector.
    by_tag_attribute: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    _patterns: dict[str, list[tuple[str, re.Pattern[str]]]] = field(default_factory=dict)
    xpath: etree.XPath | None = None

    def add(self, compound: _Compound) -> None:
        if (
            compound.tag is not None
            and not compound.ids
            and not compound.classes
            and len(compound.attributes) == 1
            and compound.attributes[0][1] in _AS_REGEX
            and compound.attributes[0][2]
        ):
            name, operator, value = compound.attributes[0]
            by_name = self.by_tag_attribute.setdefault(compound.tag, {})
            by_name.setdefault(name, []).append(_AS_REGEX[operator].format(re.escape(value)))
            self._patterns.clear()
        elif compound.tag is not None:
            self.by_tag.setdefault(compound.tag, []).append(compound)
        elif compound.classes:
            self.by_class.setdefault(compound.classes[0], []).append(compound)
        elif compound.ids:
            self.by_id.setdefault(compound.ids[0], []).append(compound)
        elif compound.attributes:
            self.by_attribute.setdefault(compound.attributes[0][0], []).append(compound)
        else:
            self.anything.append(compound)

    def _compiled(self, tag: str) -> list[tuple[str, re.Pattern[str]]]:
        patterns = self._patterns.get(tag)
        if patterns is None:
            patterns = [
                (name, re.compile("|".join(alternatives)))
                for name, alternatives in self.by_tag_attribute.get(tag, {}).items()
            ]
            self._patterns[tag] = patterns
        return patterns

    def hit(self, el: etree._Element) -> bool:
        """Whether ``el`` matches a compound selector (``predicate`` covers the others)."""
        tag = el.tag
        if tag in self.by_tag_attribute:
            for name, pattern in self._compiled(tag):
                value = el.get(name)
                if value is not None and pattern.search(value):
                    return True
        compounds = self.by_tag.get(tag)
        if compounds and any(c.matches(el) for c in compounds):
            return True
        if self.anything and any(c.matches(el) for c in self.anything):
            return True
        if not (self.by_class or self.by_id or self.by_attribute):
            return False
        # keys() is one call, and most elements have no attributes at all.
        names = el.keys()
        return any(self._attribute_hit(el, str(name)) for name in names)

    def _attribute_hit(self, el: etree._Element, name: str) -> bool:
        compounds = self.by_attribute.get(name)
        if compounds and any(c.matches(el) for c in compounds):
            return True
        if name == "class" and self.by_class:
            for token in (el.get("class") or "").split():
                found = self.by_class.get(token)
                if found and any(c.matches(el) for c in found):
                    return True
        elif name == "id" and self.by_id:
            found = self.by_id.get(el.get("id") or "")
            return found is not None and any(c.matches(el) for c in found)
        return False

    def _candidates(self, root: HtmlElement) -> Iterator[HtmlElement]:
        # Let lxml find candidates in C (by tag, by having an attribute), then test them here:
        # testing every element in Python costs ~4x more on a typical entry.
        if self.anything:
            yield from (el for el in root.iter() if isinstance(el, HtmlElement))
            return
        tags = sorted(self.by_tag.keys() | self.by_tag_attribute.keys())
        names = sorted(
            ({"class"} if self.by_class else set())
            | ({"id"} if self.by_id else set())
            | self.by_attribute.keys()
        )
        seen: set[HtmlElement] = set()
        if tags:
            for el in root.iter(*tags):
                if isinstance(el, HtmlElement):
                    seen.add(el)
                    yield el
        if names:
            path = _having(tuple(names))
            found = path(root)
            if isinstance(found, list):
                yield from (el for el in found if isinstance(el, HtmlElement) and el not in seen)

    def _plain_tags(self) -> frozenset[str] | None:
        """The tag names, when every selector is a bare tag name (like ``a``)."""
        if self.by_class or self.by_id or self.by_attribute or self.anything:
            return None
        if self.by_tag_attribute:
            return None
        if any(c != _Compound(c.tag) for found in self.by_tag.values() for c in found):
            return None
        return frozenset(self.by_tag)

    def predicate(self, root: etree._Element) -> Callable[[etree._Element], bool]:
        """A test for the elements of one tree, for callers that walk the tree themselves.

        The same as ``hit`` (plus XPath-only selectors), unrolled into a closure over locals:
        it runs once per element of every entry.
        """
        extra: set[etree._Element] = set()
        if self.xpath is not None:
            found = self.xpath(root)
            extra = (
                {el for el in found if isinstance(el, etree._Element)}
                if isinstance(found, list)
                else set()
            )
        plain_tags = self._plain_tags()
        if plain_tags is not None and not extra:
            return lambda el: el.tag in plain_tags
        by_tag_attribute = {tag: self._compiled(tag) for tag in self.by_tag_attribute}
        by_tag, anything = self.by_tag, self.anything
        by_attributes = bool(self.by_class or self.by_id or self.by_attribute)
        attribute_hit = self._attribute_hit

        def test(el: etree._Element) -> bool:
            tag = el.tag
            checks = by_tag_attribute.get(tag)
            if checks is not None:
                for name, pattern in checks:
                    value = el.get(name)
                    if value is not None and pattern.search(value):
                        return True
            compounds = by_tag.get(tag)
            if compounds is not None:
                for compound in compounds:
                    if compound.matches(el):
                        return True
            for compound in anything:
                if compound.matches(el):
                    return True
            if by_attributes:
                # An lxml element iterates over its children: keys() are the attribute names.
                for key in el.keys():  # noqa: SIM118
                    if attribute_hit(el, str(key)):
                        return True
            return el in extra

        return test

    def select(self, root: HtmlElement) -> list[HtmlElement]:
        """Matching elements (in document order when all selectors name a tag)."""
        plain_tags = self._plain_tags()
        if plain_tags is not None and self.xpath is None:
            # Every element of those tags matches (drop_empty's list of wrappers, "a"): lxml
            # finds them without a test of each in Python.
            return [el for el in root.iter(*plain_tags) if isinstance(el, HtmlElement)]
        found = [el for el in self._candidates(root) if self.hit(el)]
        if self.xpath is not None:
            seen = set(found)
            extra = self.xpath(root)
            if isinstance(extra, list):
                found.extend(el for el in extra if isinstance(el, HtmlElement) and el not in seen)
        return found


@functools.lru_cache(maxsize=64)
def _having(names: tuple[str, ...]) -> etree.XPath:
    return etree.XPath(f"descendant-or-self::*[{' or '.join('@' + n for n in names)}]")


@functools.lru_cache(maxsize=1024)
def parse_selector(selector: str) -> tuple[Selector, ...]:
    """Parse a CSS selector group; ``ValueError`` with the reason when it is not valid."""
    try:
        parsed = tuple(parse_css(selector))
        for one in parsed:
            if one.pseudo_element is not None:
                raise ValueError(f"pseudo-element ::{one.pseudo_element} selects no element")
            _TRANSLATOR.selector_to_xpath(one)  # rejects what parses but cannot match
    except (SelectorError, SyntaxError, ValueError, NotImplementedError) as exc:
        raise ValueError(f"bad CSS selector {selector!r}: {exc}") from exc
    if not parsed:
        raise ValueError(f"bad CSS selector {selector!r}: empty")
    return parsed


def compile_selectors(selectors: Sequence[str]) -> Matcher | None:
    """One matcher for a group of selector strings (None when there are none)."""
    if not selectors:
        return None
    matcher = Matcher()
    paths: list[str] = []
    for selector in selectors:
        for one in parse_selector(selector):
            compound = _compound(one.parsed_tree)
            if compound is None:
                paths.append(_TRANSLATOR.selector_to_xpath(one))
            else:
                matcher.add(compound)
    if paths:
        matcher.xpath = etree.XPath(" | ".join(paths))
    return matcher

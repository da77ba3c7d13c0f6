"""A class and tag index over the article region, built in one pass.

CSS selectors (soupsieve) re-walk the tree for every query and cost more than the parse itself;
the parser asks only "elements with this class (and tag)", so one index answers all its queries.
Elements removed later (boilerplate) are skipped on lookup.
"""

from __future__ import annotations

from collections import defaultdict

from bs4 import Tag


class DomIndex:
    def __init__(self, root: Tag) -> None:
        self._by_class: dict[str, list[Tag]] = defaultdict(list)
        self._by_tag: dict[str, list[Tag]] = defaultdict(list)
        self._order: dict[int, int] = {}
        for position, element in enumerate(root.find_all(True)):
            self._order[id(element)] = position
            self._by_tag[element.name].append(element)
            for name in element.get("class") or ():
                self._by_class[name].append(element)

    def select(self, *selectors: str, within: Tag | None = None) -> list[Tag]:
        """Live elements matching any of `selectors` ("tag", ".class", "tag.class"), in page order.

        `within` keeps only descendants of that element.
        """
        found: dict[int, Tag] = {}
        for selector in selectors:
            tag, _, name = selector.partition(".")
            candidates = self._by_class.get(name, []) if name else self._by_tag.get(tag, [])
            for element in candidates:
                if (not tag or element.name == tag) and is_live(element):
                    found.setdefault(id(element), element)
        ordered = sorted(found.values(), key=lambda element: self._order[id(element)])
        if within is None:
            return ordered
        return [element for element in ordered if _inside(element, within)]

    def first(self, *selectors: str) -> Tag | None:
        """The first live element matching any of `selectors`, in page order."""
        found = self.select(*selectors)
        return found[0] if found else None


def is_live(element: Tag) -> bool:
    """False once `element` (or an ancestor) was decomposed.

    bs4's `decomposed` property falls through to `Tag.__getattr__`, a subtree search, on every
    live element; decompose() also blanks the tag name, which is a plain attribute read.
    """
    return bool(element.name)


def _inside(element: Tag, ancestor: Tag) -> bool:
    return any(parent is ancestor for parent in element.parents)

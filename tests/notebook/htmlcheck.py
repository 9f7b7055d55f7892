"""Checks that an HTML fragment a report shows is well formed and fetches nothing from a network."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
REMOTE = re.compile(r"^\s*(?:https?:)?//", re.I)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.srcdocs: list[str] = []
        self.tags: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "action", "data", "poster") and value and REMOTE.match(value):
                self.problems.append(f"<{tag} {name}={value!r}> fetches from a network")
            if name == "srcdoc" and value is not None:
                self.srcdocs.append(value)
        if tag == "link":
            self.problems.append("a <link> element (a stylesheet or font to fetch)")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "style" and re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", data):
            self.problems.append("a style that fetches from a network")


def check_html(text: str) -> list[str]:
    """The tags of `text` (iframe pages included); AssertionError on a tag left open or closed out of order, or
    anything that would fetch from a network (src/href to http(s), <link>, @import)."""
    checker = _Checker()
    checker.feed(text)
    checker.close()
    problems = checker.problems + ([f"left open: {checker.stack}"] if checker.stack else [])
    assert problems == [], problems
    tags = list(checker.tags)
    for page in checker.srcdocs:
        tags += check_html(page)
    return tags

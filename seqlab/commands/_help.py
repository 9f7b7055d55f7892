"""How seqlab's help and usage errors look: metavars like RUN and N, no metavar on flags, errors as one line.

Typer 0.2x shows `<bool>` after every flag (so `--json <bool>` reads as if it took a value), `<int>`
after numbers and `{run}` / `{RUN...}...` in usage lines, and prints usage errors in a box that looks
nothing like seqlab's own one-line errors. `install()` adjusts those three places once, at import of
seqlab.cli; every command keeps declaring its options the ordinary Typer way.

Help is markdown (`rich_markup_mode="markdown"`), and help text is mostly formulas, paths and tokens that
markdown would eat: `4*128*(100+128)` turns into "4128(100+128)", `<unk>` vanishes as HTML, `:cat:` becomes an
emoji. So markdown sees only what seqlab's help means as markup: `**bold**`, `code` spans and list lines; every
other markup character is escaped (`protect_markdown`) before rich draws it.

Typer imports its rich_utils (rich's markdown, help panels: tens of milliseconds) only when it draws help
or an error, so the error style is applied when that import happens, not at start-up: a command that runs
without help or a usage error never pays for it.
"""

from __future__ import annotations

import ast
import importlib.abc
import inspect
import importlib.machinery
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Sequence

import typer.core

PROOFS = Path(__file__).resolve().parents[1] / "proofs"  # seqlab/proofs, read as source (see registry_identities)

# What a value of each type is called in help, as in classic Unix usage lines.
TYPE_METAVARS = {"int": "N", "integer": "N", "float": "X", "str": "TEXT", "string": "TEXT", "text": "TEXT",
                 "path": "PATH", "file": "FILE", "directory": "DIR"}


def option_metavar(param: Any, shown: str | None) -> str | None:
    """The metavar after an option in help: none for flags, the declared one, else N / X / TEXT / PATH."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    if param.metavar is not None:
        return param.metavar
    if shown is None:
        return None
    bare = shown.strip("<>")
    suffix = "..." if bare.endswith("...") or shown.endswith("...") else ""
    bare = bare.rstrip(".").strip("<>")
    if "|" in bare:  # a choice: show the choices
        return f"[{bare}]{suffix}"
    if bare.startswith("list[") and bare.endswith("]"):
        bare, suffix = bare[5:-1], "..."
    return TYPE_METAVARS.get(bare.lower(), bare.upper()) + suffix


def argument_usage(param: Any) -> str:
    """An argument in the usage line: RUN when required, [RUN] when optional, RUN... when it repeats."""
    name = (param.metavar or param.name or "ARG").upper()
    repeats = param.nargs != 1
    name = name.removesuffix("...")
    shown = name if param.required else f"[{name}]"
    return shown + ("..." if repeats else "")


BOOL_WORDS = {"true", "false", "yes", "no", "1", "0", "on", "off"}


def usage_error(exc: Any) -> None:
    """A Click usage error as seqlab's one styled line on stderr: what is wrong, and where help is."""
    from seqlab.console import error_line

    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    message = " ".join(message.split())
    extra = re.findall(r"\(([^)]*)\)", message) if "unexpected extra argument" in message else []
    if any(word.lower() in BOOL_WORDS for group in extra for word in group.split()):
        message += "; flags take no value: write the flag alone to turn it on, leave it out for off"
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and getattr(ctx, "command_path", None):
        message += f" (see {ctx.command_path} --help)"
    error_line(message[0].lower() + message[1:] if message[:1].isupper() and message[1:2].islower() else message)


def install() -> None:
    """Apply seqlab's help and error style to Typer (idempotent).

    These are Typer internals, not its public API: each adjustment is made only where this Typer has the
    place it changes, so another Typer version shows its own style there instead of failing at import.
    """
    if getattr(typer.core, "_seqlab_style", False):
        return
    option, argument = typer.core.TyperOption, typer.core.TyperArgument
    option_display = getattr(option, "display_type_rich", None)
    if callable(option_display):
        def display_type_rich(self: Any, ctx: Any) -> str | None:
            return option_metavar(self, option_display(self, ctx) if self.metavar is None else self.metavar)

        option.display_type_rich = display_type_rich  # type: ignore[method-assign]
    if hasattr(argument, "display_type_rich"):
        argument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]  # RUN says it all
    if hasattr(argument, "_usage_display_name"):
        argument._usage_display_name = argument_usage  # type: ignore[method-assign]
    if hasattr(argument, "_rich_display_name"):
        argument._rich_display_name = lambda self: (  # type: ignore[method-assign]
            argument_usage(self).strip("[]").removesuffix("...") + ("..." if self.nargs != 1 else ""))
    if hasattr(argument, "display_name_raw"):
        argument.display_name_raw = property(  # type: ignore[assignment]
            lambda self: self.metavar if self.metavar is not None else (self.name or "arg").upper())
    when_imported("typer.rich_utils", _restyle_errors)
    typer.core._seqlab_style = True  # type: ignore[attr-defined]


def _restyle_errors(rich_utils: ModuleType) -> None:
    """Usage errors as seqlab's one line instead of Typer's box; help text drawn with `protect_markdown`."""
    if hasattr(rich_utils, "rich_format_error"):
        rich_utils.rich_format_error = usage_error  # type: ignore[attr-defined]
    original = getattr(rich_utils, "_make_rich_text", None)
    markdown = getattr(rich_utils, "Markdown", None)
    if callable(original) and markdown is not None:
        def make_rich_text(*, text: str, style: str = "", markup_mode: str) -> Any:
            if markup_mode != "markdown":
                return original(text=text, style=style, markup_mode=markup_mode)
            return markdown(protect_markdown(inspect.cleandoc(text)), style=style)  # no :emoji: codes

        rich_utils._make_rich_text = make_rich_text  # type: ignore[attr-defined]


def when_imported(name: str, patch: Callable[[ModuleType], None]) -> None:
    """Call `patch(module)` once module `name` is imported: now if it already is, else right after its import."""
    module = sys.modules.get(name)
    if module is not None:
        patch(module)
    else:
        sys.meta_path.insert(0, _PatchOnImport(name, patch))


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """An import hook for one module: the ordinary path finder loads it, then `patch` adjusts it."""

    def __init__(self, name: str, patch: Callable[[ModuleType], None]) -> None:
        self.name = name
        self.patch = patch

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        """The module's ordinary spec with a loader that patches it after running it; None for other modules."""
        if fullname != self.name:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader, self)
        return spec


class _PatchingLoader(importlib.abc.Loader):
    """Runs the module with its own loader, then applies the patch and removes the hook."""

    def __init__(self, loader: Any, hook: _PatchOnImport) -> None:
        self.loader = loader
        self.hook = hook

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        """The original loader's module (None: the default one)."""
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        """Run the module, then patch it; the hook has done its one job and leaves sys.meta_path."""
        self.loader.exec_module(module)
        if self.hook in sys.meta_path:
            sys.meta_path.remove(self.hook)
        self.hook.patch(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)  # get_source, get_filename, ... of the original loader


def _literal(tree: ast.Module, name: str) -> Any:
    """The literal value of the module-level assignment `name = ...` (or `name: T = ...`) in `tree`."""
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets) and node.value is not None:
            return ast.literal_eval(node.value)
    raise LookupError(f"no literal {name} in the module")


def _class_literals(tree: ast.Module, class_name: str) -> dict[str, Any]:
    """The literal class attributes (`id = "..."`, `title = "..."`) of class `class_name` in `tree`."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            return {t.id: ast.literal_eval(item.value) for item in node.body if isinstance(item, ast.Assign)
                    for t in item.targets if isinstance(t, ast.Name) and isinstance(item.value, ast.Constant)}
    raise LookupError(f"no class {class_name}")


def registry_identities(proofs: Path = PROOFS) -> list[tuple[str, str]]:
    """(id, title) of every identity in seqlab.proofs.REGISTRY, in its order, read from the source with `ast`.

    Importing the proofs would load sympy (a second) and their live checks torch, for a help page; the ids
    and titles are literal class attributes, so reading the source gives the same list (a test compares it
    with `all_identities()`).
    """
    trees: dict[str, ast.Module] = {}

    def tree(module: str) -> ast.Module:
        if module not in trees:
            path = proofs / ("__init__.py" if module == "" else f"{module.replace('.', '/')}.py")
            trees[module] = ast.parse(path.read_text(encoding="utf-8"))
        return trees[module]

    found = []
    for entry in _literal(tree(""), "REGISTRY"):
        module, _, class_name = entry.partition(":")
        attributes = _class_literals(tree(module), class_name)
        found.append((attributes["id"], attributes["title"]))
    return found


def identities_help() -> str:
    """The identities as a markdown list for a help page: `id`: title, one per line, in teaching order."""
    return "The identities (give their ids as IDS):\n\n" + "\n".join(
        f"- **{identity}**: {markdown_escape(title)}" for identity, title in registry_identities())


def markdown_escape(text: str) -> str:
    """`text` with markdown's emphasis, code and link characters escaped, so `f*c + i*g` stays as written."""
    return re.sub(r"([\\`*_\[\]<>#])", r"\\\1", text)


_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)(.+?)(?<![\\`])\1(?!`)", re.S)
_BOLD = re.compile(r"(?<![\w*\\])\*\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*\*(?![\w*])", re.S)
_MARKUP_CHARACTER = re.compile(r"(?<!\\)([*_<>\[\]#~&])")


def protect_markdown(text: str) -> str:
    """`text` with every markdown character escaped except `**bold**`, `code` spans and line-start list markers.

    What help means as markup stays markup; formulas (`4*128*(100+128)`), angle-bracket tokens (`<unk>`),
    path patterns (`train/<tag>/*.txt`) and names with underscores reach the page as written. Characters
    already escaped (`\\*`) are left as they are.
    """
    def plain(part: str) -> str:
        pieces, last = [], 0
        for bold in _BOLD.finditer(part):
            pieces += [_MARKUP_CHARACTER.sub(r"\\\1", part[last:bold.start()]),
                       "**" + _MARKUP_CHARACTER.sub(r"\\\1", bold.group(1)) + "**"]
            last = bold.end()
        return "".join(pieces) + _MARKUP_CHARACTER.sub(r"\\\1", part[last:])

    out, last = [], 0
    for span in _CODE_SPAN.finditer(text):
        out += [plain(text[last:span.start()]), span.group(0)]
        last = span.end()
    return "".join(out) + plain(text[last:])


class IdentitiesHelpCommand(typer.core.TyperCommand):
    """A command whose help ends with the list of identities in seqlab.proofs.REGISTRY, built when help is drawn.

    `seqlab --help` shows only the first paragraph (the short help), so listing the commands reads nothing.
    """

    @property  # type: ignore[override]
    def help(self) -> str | None:
        """The docstring followed by the identities."""
        return None if self._docstring is None else f"{self._docstring.rstrip()}\n\n{identities_help()}"

    @help.setter
    def help(self, value: str | None) -> None:
        self._docstring = value

    @property  # type: ignore[override]
    def short_help(self) -> str | None:
        """The given short help, else the docstring's first paragraph."""
        return self._short_help or (None if self._docstring is None else self._docstring.strip().split("\n\n")[0])

    @short_help.setter
    def short_help(self, value: str | None) -> None:
        self._short_help = value

"""The textbook identities derived step by step with sympy (and, on request, written out as LaTeX)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqlab.errors import SeqlabError
from seqlab.io import atomic_write_text, to_jsonable
from seqlab.lab.display import Display
from seqlab.proofs.render import latex_document, proofs_json
from seqlab.proofs.runner import ProvedIdentity, prove_identities


@dataclass(frozen=True)
class ProveRequest:
    """Which identities to prove (empty: all) and where to write a LaTeX copy (None: nowhere)."""

    ids: tuple[str, ...] = ()
    latex: Path | None = None


@dataclass(frozen=True)
class ProveReport(Display):
    """Each identity with its proof, and the LaTeX file written (None when none was asked for)."""

    items: list[ProvedIdentity]
    latex: Path | None

    @property
    def all_verified(self) -> bool:
        """True when sympy verified every proof."""
        return all(item.proof.verified for item in self.items)

    def to_json(self) -> dict[str, Any]:
        """What `seqlab prove --json` prints."""
        payload = proofs_json(self.items)
        if self.latex is not None:
            payload["latex"] = str(self.latex)
        return to_jsonable(payload)


def run(request: ProveRequest) -> ProveReport:
    """Prove the request's identities; write them as a standalone LaTeX document when asked."""
    items = prove_identities(request.ids)
    if request.latex is not None and request.latex.is_dir():
        raise SeqlabError(f"--latex {request.latex} is a folder; give a file name such as proofs.tex")
    if request.latex is not None:
        atomic_write_text(request.latex, latex_document(items))
    return ProveReport(items, request.latex)

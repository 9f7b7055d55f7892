"""`seqlab tokenize`: one text through the word vocabulary and through WordPiece, side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import DataDirOption, JsonOption, SeedOption, user_errors


@user_errors
def tokenize(
    text: Annotated[str, typer.Argument(help="The text to tokenize (quote it).", show_default=False)],
    pair: Annotated[
        Optional[str], typer.Option("--pair", help="A second sentence: shows how pairs get [SEP] and segment ids.")
    ] = None,
    max_length: Annotated[
        Optional[int], typer.Option("--max-length", help="Cut to this many ids (longest sentence first for pairs).")
    ] = None,
    vocab_from: Annotated[
        str, typer.Option("--vocab-from", help="Dataset whose train split the word vocabulary is built from.")
    ] = "builtin-sentiment",
    min_freq: Annotated[int, typer.Option("--min-freq", min=1, help="Keep words seen at least this often.")] = 1,
    stop_words: Annotated[
        bool, typer.Option("--stop-words", help="Drop English stop words (scikit-learn's list) from the vocabulary.")
    ] = False,
    wordpiece_vocab: Annotated[
        Optional[Path], typer.Option("--wordpiece-vocab", help="A BERT vocab.txt (default: MiniLM's, if installed).")
    ] = None,
    data_dir: DataDirOption = None,
    seed: SeedOption = 0,
    json_output: JsonOption = False,
) -> None:
    """See how a word vocabulary and BERT's WordPiece turn the same text into ids.

    The word vocabulary knows only words it saw in training: anything else is <unk> (red). WordPiece splits rare words into known pieces ("unlikeable" -> un ##like ##able, blue), so it almost never needs [UNK]. With --pair you see BERT's [CLS] a [SEP] b [SEP] and the segment ids 0/1.
    """
    from seqlab.console import console, emit_json
    from seqlab.data.render import LEGEND, encoding_view
    from seqlab.lab import tokenize as lab_tokenize

    report = lab_tokenize.run(lab_tokenize.TokenizeRequest(
        text=text, pair=pair, max_length=max_length, vocab_from=vocab_from, data_dir=data_dir, seed=seed,
        min_freq=min_freq, stop_words=stop_words, wordpiece_vocab=wordpiece_vocab,
    ))
    if json_output:
        emit_json(report.to_json())
        return
    for view, name in ((report.words, "word vocabulary"), (report.pieces, "WordPiece")):
        console.print(encoding_view(view, name, console.width))
        console.print()
    console.print(LEGEND)


def register(app: typer.Typer) -> None:
    """Add `seqlab tokenize` to the app."""
    app.command("tokenize")(tokenize)

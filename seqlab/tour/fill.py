"""Tour step "fill": a Transformer learns to fill in blanks (BERT's masked-LM objective) from unlabeled text."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.markup import escape

from seqlab.data.encoders import load_encoder
from seqlab.data.masking import MaskingRule, MaskVocab
from seqlab.data.spec import DataSpec
from seqlab.lab import data, predict, train
from seqlab.tour import TourContext, TourStep, print_more
from seqlab.training.config import TrainConfig
from seqlab.training.render import fill_mask_view
from seqlab.training.runs import ENCODER_DIR

FILL_SENTENCE = "i did not [MASK] this movie ."
# No dropout and 8 epochs: about 12 s of one CPU core, and the blank gets verbs ("like", "hate") rather than
# the most common words, which is what 4-5 epochs with dropout give (dev top-1 about 61% vs 70% here).
FILL_MODEL: dict[str, Any] = {"family": "transformer", "dropout": 0.0}
FILL_EPOCHS = 8


def most_common_token_share(texts: list[str], encoder: Any) -> tuple[str, float]:
    """The most frequent maskable token of `texts` under `encoder`, and its share of all maskable tokens: the
    top-1 accuracy of always guessing it at a masked position (special tokens are never masked)."""
    specials = set(MaskVocab.of(encoder).special_ids)
    counts: Counter[str] = Counter()
    for text in texts:
        encoded = encoder.encode(text)
        counts.update(token for token, token_id in zip(encoded.tokens, encoded.ids) if token_id not in specials)
    token, count = counts.most_common(1)[0]
    return token, count / sum(counts.values())


def run_fill(ctx: TourContext) -> dict[str, Any]:
    """Pretrain a small Transformer with masked LM on the corpus's text (labels unused), then fill a blank."""
    config = TrainConfig(model=FILL_MODEL, task="mlm", epochs=FILL_EPOCHS, seed=ctx.seed, device=ctx.device,
                         threads=1, name="tour-mlm")
    ctx.console.print(f"masking {MaskingRule().probability:.0%} of the tokens and training a small Transformer to "
                      f"guess them, {FILL_EPOCHS} epochs (the labels are not used) ...")
    result = train.run(train.TrainRequest(config, runs_dir=ctx.out_dir / "runs"), console=ctx.console).result
    filled = predict.run(predict.PredictRequest(result.run_dir, FILL_SENTENCE, top_k=5)).filled
    ctx.console.print(f'the model fills "{escape(FILL_SENTENCE)}":')
    ctx.console.print(fill_mask_view(filled))
    splits = ctx.shared.get("splits") or data.DatasetRequest(DataSpec("builtin-sentiment"), seed=ctx.seed).load().splits
    summary: dict[str, Any] = {"top1": result.dev_record.get("accuracy"), "run": str(result.run_dir),
                               "epochs": FILL_EPOCHS, "filled": [filler.token for filler in filled.slots[0].fillers]}
    encoder = load_encoder(result.run_dir / ENCODER_DIR)
    token, share = most_common_token_share([example.text for example in splits.dev], encoder)
    summary["baseline_token"], summary["baseline"] = token, share
    run = ctx.show(result.run_dir)
    print_more(ctx, [f'seqlab predict {run} "the acting was [MASK] ."', f"seqlab attention {run} "
                     '"the acting was [MASK] ."', "seqlab explain objectives",
                     "seqlab experiment run pretraining-objectives"])
    return summary


STEP = TourStep("fill", "masked-LM pretraining: a Transformer learns to fill in [MASK]", run_fill)

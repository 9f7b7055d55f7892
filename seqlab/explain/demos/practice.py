"""The worked examples of seqlab.explain.topics.practice, computed live with torch (seeded, never the global RNG)."""

from __future__ import annotations

import torch
from torch import nn

from seqlab.explain import counts
from seqlab.explain.demos.numbers import fmt, generator, round_list
from seqlab.explain.topic import DemoResult


def cross_entropy_demo(seed: int) -> DemoResult:
    """Softmax, cross-entropy and its gradient (p − one-hot) for seeded 3-class logits."""
    logits = (torch.randn(3, generator=generator(seed)) * 2).requires_grad_(True)
    gold = 1
    probs = logits.softmax(-1)
    loss = -torch.log(probs[gold])
    loss.backward()
    assert logits.grad is not None
    gradient, logits, probs, loss = logits.grad, logits.detach(), probs.detach(), loss.detach()
    expected_grad = probs.detach() - torch.nn.functional.one_hot(torch.tensor(gold), 3).float()
    library = float(torch.nn.functional.cross_entropy(logits.detach()[None], torch.tensor([gold])))
    return DemoResult(
        title=f"3 classes, gold class 1, logits from seed {seed}",
        columns=("class", "logit z", "softmax p", "∂L/∂z (autograd)", "p − one_hot"),
        rows=tuple(
            (str(c), fmt(float(logits[c])), fmt(float(probs[c])), fmt(float(gradient[c])), fmt(float(expected_grad[c])))
            for c in range(3)
        ),
        notes=(
            f"L = −log p_gold = {fmt(float(loss), 4)} (F.cross_entropy: {fmt(library, 4)}).",
            f"A uniform guess over C classes scores ln C: {fmt(counts.uniform_cross_entropy(3), 4)} for 3, "
            f"{fmt(counts.uniform_cross_entropy(5), 4)} for 5: a useful sanity check for the first loss you see.",
        ),
        values={"loss": float(loss), "probabilities": round_list(probs), "gradient": round_list(gradient)},
    )


def fine_tuning_demo(seed: int) -> DemoResult:
    """Trainable parameters frozen vs fine-tuned, and one optimizer step on a tiny frozen body."""
    gen = generator(seed)
    body = nn.Embedding(20, 8)
    head = nn.Linear(8, 2)
    with torch.no_grad():
        for p in (*body.parameters(), *head.parameters()):
            p.copy_(torch.randn(p.shape, generator=gen) * 0.1)
    body.requires_grad_(False)  # frozen features: only the head learns
    before_body, before_head = body.weight.detach().clone(), head.weight.detach().clone()
    ids = torch.randint(20, (4, 5), generator=gen)
    labels = torch.tensor([0, 1, 0, 1])
    loss = nn.functional.cross_entropy(head(body(ids).mean(1)), labels)
    loss.backward()
    with torch.no_grad():  # one plain SGD step on whatever is trainable
        for param in (*body.parameters(), *head.parameters()):
            if param.requires_grad and param.grad is not None:
                param.sub_(0.5 * param.grad)
    body_change = float((body.weight - before_body).abs().max())
    head_change = float((head.weight.detach() - before_head).abs().max())
    rows = []
    for name, (vocab, d, layers, d_ff) in {
        "MiniLM-L6-H384": (30522, 384, 6, 1536),
        "bert-base": (30522, 768, 12, 3072),
    }.items():
        total = counts.bert_params(vocab, d, layers, d_ff) + counts.linear_params(d, 2)
        head_only = counts.linear_params(d, 2)
        rows.append((name, f"{head_only:,}", f"{total:,}", f"{100 * head_only / total:.4f}%"))
    return DemoResult(
        title="Frozen features vs fine-tuning: what the optimizer may change (2-class head)",
        columns=("model", "trainable when frozen", "trainable when fine-tuned", "trainable share when frozen"),
        rows=tuple(rows),
        notes=(
            f"One SGD step on a tiny frozen model (seed {seed}): body weights moved {body_change:.1e}, "
            f"head weights moved {fmt(head_change, 4)}.",
            "Frozen: a linear probe on fixed [CLS] features. Fine-tuned: every layer adapts to the task (small lr, "
            "2e-5 to 5e-5).",
        ),
        values={"body_change": body_change, "head_change": head_change, "rows": [list(r) for r in rows]},
    )


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def parameters_demo(seed: int) -> DemoResult:
    """Parameter counts of real torch modules next to their closed-form formulas."""
    with torch.device("meta"):  # shapes only, no memory
        cases = (
            ("nn.LSTM(100, 128)", _count(nn.LSTM(100, 128)), "4h(x+h) + 8h", counts.rnn_params("lstm", 100, 128)),
            ("nn.GRU(100, 128)", _count(nn.GRU(100, 128)), "3h(x+h) + 6h", counts.rnn_params("gru", 100, 128)),
            (
                "nn.LSTM(300, 256, 2 layers, bidir.)",
                _count(nn.LSTM(300, 256, 2, bidirectional=True)),
                "2·Σ_layers [4h(x_l+h) + 8h]",
                counts.rnn_params("lstm", 300, 256, 2, True),
            ),
            # an explicit empty weight skips the random init (normal_ on meta imports torch._dynamo: seconds)
            (
                "nn.Embedding(30522, 768)",
                _count(nn.Embedding(30522, 768, _weight=torch.empty(30522, 768))),
                "V·d",
                counts.embedding_params(30522, 768),
            ),
            ("nn.LayerNorm(768)", _count(nn.LayerNorm(768)), "2d", counts.layer_norm_params(768)),
            (
                "Transformer layer d=768, d_ff=3072",
                _count(nn.TransformerEncoderLayer(768, 12, 3072)),
                "4d²+4d + 2d·d_ff+d_ff+d + 4d",
                counts.transformer_layer_params(768, 3072),
            ),
        )
    rows = tuple(
        (name, f"{counted:,}", formula, f"{value:,}", "yes" if counted == value else "NO")
        for name, counted, formula, value in cases
    )
    return DemoResult(
        title="Counted (torch) vs closed form",
        columns=("module", "counted", "formula", "formula value", "match"),
        rows=rows,
        notes=(
            f"bert-base-uncased with pooler: {counts.bert_params():,} parameters "
            f"(embeddings {counts.bert_embedding_params(30522, 512, 2, 768):,}, 12 layers, pooler 768²+768).",
            "PyTorch's LSTM/GRU keep two bias vectors (b_ih and b_hh), hence 8h and 6h rather than 4h and 3h.",
        ),
        values={name: {"counted": counted, "formula": value} for name, counted, _, value in cases},
    )


def compound_scaling_demo(seed: int) -> DemoResult:
    """Parameters of an LSTM classifier as depth and width (hidden and embedding) grow together by φ."""
    alpha, beta = 1.2, 1.3  # depth and width ratios; a layer's cost ∝ h·(e + h), so α·β² ≈ 2
    vocab, classes = 20000, 2
    rows = []
    values: dict[str, dict[str, int]] = {}
    base_recurrent = 0
    for phi in range(4):
        layers = max(1, round(2 * alpha**phi))
        width = round(128 * beta**phi)
        with torch.device("meta"):
            recurrent = _count(nn.LSTM(width, width, layers))
        base_recurrent = base_recurrent or recurrent
        total = counts.embedding_params(vocab, width) + recurrent + counts.linear_params(width, classes)
        values[str(phi)] = {
            "layers": layers,
            "hidden": width,
            "embed": width,
            "recurrent_params": recurrent,
            "total": total,
        }
        rows.append(
            (str(phi), str(layers), str(width), f"{recurrent:,}", f"{recurrent / base_recurrent:.1f}x", f"{total:,}")
        )
    return DemoResult(
        title="Compound scaling of an LSTM classifier: depth x α = 1.2, hidden and embedding x β = 1.3 per step φ",
        columns=("φ", "layers", "hidden = embedding", "recurrent params", "vs φ = 0", "total params"),
        rows=tuple(rows),
        notes=(
            f"α·β² = {fmt(alpha * beta**2, 2)} ≈ 2: each step should double the recurrent cost; rounding the layer "
            "count to a whole number makes the real steps uneven.",
            "The embedding table grows only linearly in width, so the total grows more slowly than the recurrent part.",
            "Under a fixed trial budget, search α and β once at small scale, then grow φ instead of one dimension "
            "alone.",
        ),
        values=values,
    )


def _bias_corpus(gen: torch.Generator, size: int, skew: float) -> tuple[list[list[str]], list[int]]:
    """Sentences 'PRONOUN ADJ' labelled by the adjective; 'he' gets positive adjectives with probability `skew`."""
    positive, negative = ("great", "fun", "smart", "kind"), ("awful", "dull", "rude", "lazy")
    sentences, labels = [], []
    for _ in range(size):
        pronoun = "he" if float(torch.rand(1, generator=gen)) < 0.5 else "she"
        p_positive = skew if pronoun == "he" else 1 - skew
        label = int(float(torch.rand(1, generator=gen)) < p_positive)
        pool = positive if label else negative
        adjective = pool[int(torch.randint(len(pool), (1,), generator=gen))]
        # some sentences are ambiguous ('is here'), so the pronoun becomes the only cue for those
        words = [pronoun, "is", adjective] if float(torch.rand(1, generator=gen)) < 0.7 else [pronoun, "is", "here"]
        sentences.append(words)
        labels.append(label)
    return sentences, labels


def bias_probes_demo(seed: int) -> DemoResult:
    """Train a bag-of-words classifier on skewed data, then swap he/she in test sentences and measure the change."""
    gen = generator(seed)
    sentences, labels = _bias_corpus(gen, 400, skew=0.8)
    vocab = sorted({w for s in sentences for w in s} | {"he", "she"})
    index = {w: i for i, w in enumerate(vocab)}

    def features(batch: list[list[str]]) -> torch.Tensor:
        x = torch.zeros(len(batch), len(vocab))
        for row, words in enumerate(batch):
            for word in words:
                x[row, index[word]] = 1.0
        return x

    weights = torch.zeros(len(vocab))
    bias = torch.zeros(1)
    x, y = features(sentences), torch.tensor(labels, dtype=torch.float32)
    for _ in range(300):  # full-batch gradient descent on the logistic loss; its gradient is (σ(z) − y)·x / N
        error = torch.sigmoid(x @ weights + bias) - y
        weights -= 1.0 * (x.T @ error) / len(y)
        bias -= 1.0 * error.mean()
    swap = {"he": "she", "she": "he"}
    probes = [["he", "is", a] for a in ("great", "dull", "here")]
    rows = []
    gaps = []
    for words in probes:
        counterfactual = [swap.get(w, w) for w in words]
        p, p_swapped = torch.sigmoid(features([words, counterfactual]) @ weights + bias).tolist()
        gaps.append(p - p_swapped)
        rows.append((" ".join(words), fmt(p), " ".join(counterfactual), fmt(p_swapped), fmt(p - p_swapped)))
    return DemoResult(
        title=f"A bag-of-words sentiment model trained where 'he' co-occurs with praise 80% of the time (seed {seed})",
        columns=("sentence", "P(pos)", "counterfactual", "P(pos)", "gap"),
        rows=tuple(rows),
        notes=(
            f"Mean gap {fmt(sum(gaps) / len(gaps))}: swapping only the pronoun changes the prediction, so the model "
            "learned the pronoun as a sentiment cue from skewed data.",
            f"Learned weights: he {fmt(float(weights[index['he']]))}, she {fmt(float(weights[index['she']]))}.",
        ),
        values={"gaps": round_list(gaps), "mean_gap": sum(gaps) / len(gaps)},
    )


def confusion_matrix(gold: torch.Tensor, predicted: torch.Tensor, num_classes: int) -> torch.Tensor:
    """C[i, j] = how many examples of gold class i were predicted as class j."""
    return torch.bincount(gold * num_classes + predicted, minlength=num_classes**2).view(num_classes, num_classes)


def accuracy_and_macro_f1(gold: torch.Tensor, predicted: torch.Tensor, num_classes: int) -> tuple[float, float]:
    """Accuracy and macro-F1 from the confusion matrix (a class never predicted nor present scores F1 = 0)."""
    matrix = confusion_matrix(gold, predicted, num_classes).double()
    true_positive = matrix.diag()
    precision = true_positive / matrix.sum(0).clamp(min=1)  # column sums: how often each class was predicted
    recall = true_positive / matrix.sum(1).clamp(min=1)  # row sums: how often each class occurs
    f1 = torch.where(precision + recall > 0, 2 * precision * recall / (precision + recall), torch.zeros_like(precision))
    return float(true_positive.sum() / matrix.sum()), float(f1.mean())


def metrics_demo(seed: int) -> DemoResult:
    """Accuracy vs macro-F1 for a majority baseline, a random baseline and a noisy model on imbalanced labels."""
    gen = generator(seed)
    gold = torch.multinomial(torch.tensor([0.7, 0.2, 0.1]), 500, replacement=True, generator=gen)
    majority = torch.zeros_like(gold)
    random = torch.randint(3, gold.shape, generator=gen)
    noisy = torch.where(torch.rand(gold.shape, generator=gen) < 0.75, gold, torch.randint(3, gold.shape, generator=gen))
    rows = []
    scores: dict[str, dict[str, float]] = {}
    for name, predicted in (
        ("majority class", majority),
        ("uniform random", random),
        ("model (75% copies gold)", noisy),
    ):
        accuracy, macro = accuracy_and_macro_f1(gold, predicted, 3)
        scores[name] = {"accuracy": accuracy, "macro_f1": macro}
        rows.append((name, fmt(accuracy), fmt(macro)))
    matrix = confusion_matrix(gold, noisy, 3)
    return DemoResult(
        title=f"500 gold labels, classes 70% / 20% / 10% (seed {seed})",
        columns=("predictor", "accuracy", "macro-F1"),
        rows=tuple(rows),
        notes=(
            "The majority baseline scores about 0.7 accuracy by saying one class; macro-F1 (each class weighted "
            "equally) exposes it.",
            f"Confusion matrix of the model (rows gold, columns predicted): {matrix.tolist()}.",
            "Always report the baselines next to the model: accuracy means little without them.",
        ),
        values={"scores": scores, "confusion_matrix": matrix.tolist()},
    )

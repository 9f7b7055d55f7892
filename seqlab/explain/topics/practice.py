"""Topics about training and judging models: cross-entropy, fine-tuning, parameter counts, compound scaling,
bias probes and evaluation metrics."""

from __future__ import annotations

from seqlab.explain.topic import Topic


CROSS_ENTROPY = Topic(
    id="cross-entropy",
    title="Softmax and cross-entropy",
    summary="Logits become probabilities with softmax; the loss is −log of the gold class's probability.",
    idea=(
        "A classifier outputs one unnormalised score (logit) per class. Softmax exponentiates and normalises "
        "them into probabilities; adding the same constant to every logit changes nothing. Cross-entropy "
        "is −log p_gold: 0 for a confident correct answer, ln C for a uniform guess, large for a confident "
        "wrong one. Its gradient with respect to the logits is simply p − one_hot(gold), which is why the pair "
        "trains well. F.cross_entropy takes logits (it applies log-softmax itself, in a numerically stable way)."
    ),
    formula="pᵢ = e^(zᵢ) / Σⱼ e^(zⱼ),   L = −log p_y,   ∂L/∂z = p − one_hot(y),   L(uniform) = ln C",
    misconceptions=(
        "Do not apply softmax before F.cross_entropy: it expects raw logits.",
        "A lower loss does not always mean higher accuracy: loss also rewards confidence.",
        "Softmax outputs are not calibrated probabilities just because they sum to 1.",
    ),
    commands=("seqlab prove softmax-shift", 'seqlab predict RUN "a fine film"', "seqlab explain metrics"),
    demo_function="seqlab.explain.demos.practice:cross_entropy_demo",
)


FINE_TUNING = Topic(
    id="fine-tuning",
    title="Frozen features vs fine-tuning",
    summary="Train only a head on fixed pretrained features, or update the whole pretrained model.",
    idea=(
        "A pretrained encoder can be used two ways. Frozen (feature extraction): its weights stay fixed and only "
        "a small classifier on top (e.g. over pooled [CLS]) is trained; it is cheap, cannot overfit the body, "
        "and shows how much task information the pretrained features already carry. Fine-tuning: all weights "
        "are updated with a small learning rate (2e-5 to 5e-5 for BERT, a few epochs, warm-up); the features "
        "adapt to the task, and it is usually clearly better, e.g. on SST and CFIMDB. Fine-tuning a large "
        "model on little data can forget or overfit, so use early stopping on the dev set."
    ),
    formula="frozen: θ_body fixed, train θ_head (d·C + C);   fine-tune: train θ_body ∪ θ_head with η ≈ 2e-5",
    misconceptions=(
        "Freezing does not remove the body's cost: every step still runs its forward pass (if the body never "
        "changes, compute its features once and cache them).",
        "Fine-tuning with a large learning rate (e.g. 1e-3) usually destroys the pretrained features.",
        "A frozen model is not 'untrained': its features come from pretraining.",
    ),
    commands=(
        "seqlab train --model bert-pretrained --freeze",
        "seqlab train --model bert-pretrained",
        "seqlab compare RUN RUN",
    ),
    demo_function="seqlab.explain.demos.practice:fine_tuning_demo",
)


PARAMETERS = Topic(
    id="parameters",
    title="Counting parameters",
    summary="Every layer's count has a closed form; check it against the model to find where the size is.",
    idea=(
        "A Linear(d_in, d_out) has d_in·d_out weights plus d_out biases; everything else is built from that. "
        "An LSTM layer has 4 gates, each with input and recurrent weights and (in PyTorch) two biases: "
        "4h(x + h) + 8h; a GRU has 3 gates. A self-attention sublayer has 4 projections of d x d: 4d² + 4d, "
        "independent of the number of heads; the feed-forward sublayer 2·d·d_ff + d_ff + d; each layer norm 2d. "
        "In small models the embedding table V·d often dominates (50001 x 200 = 10,000,200 in the LM-transfer "
        "model); in bert-base the 12 layers hold about 85M of its 109.5M parameters."
    ),
    formula=(
        "Linear: d_in·d_out + d_out    LSTM: 4h(x+h) + 8h    GRU: 3h(x+h) + 6h\n"
        "attention: 4d² + 4d    FFN: 2·d·d_ff + d_ff + d    LayerNorm: 2d    embedding: V·d\n"
        "BERT = (V + P + S)·d + 2d + L·(4d² + 4d + 2·d·d_ff + d_ff + d + 4d) + (d² + d)"
    ),
    misconceptions=(
        "Sinusoidal positions add no parameters; learned positions add max_len·d.",
        "Tying the LM head to the embedding removes its V·d weights but not its V biases (if it has them).",
        "More heads do not mean more attention parameters.",
    ),
    commands=("seqlab params bert-base-uncased", "seqlab params lstm", "seqlab prove multihead-params"),
    demo_function="seqlab.explain.demos.practice:parameters_demo",
)


COMPOUND_SCALING = Topic(
    id="compound-scaling",
    title="Compound scaling under a budget",
    summary="Grow depth, width and embedding size together by fixed ratios rather than one at a time.",
    idea=(
        "Making a model bigger along one dimension (only more layers, only wider) soon gives diminishing "
        "returns. Compound scaling (EfficientNet) fixes ratios for depth, width and input size, found by a "
        "small search, and scales all of them with one coefficient φ (depth ∝ α^φ, width ∝ β^φ, resolution ∝ γ^φ, "
        "α·β²·γ² ≈ 2 so that each step about doubles the compute). For an RNN classifier the dimensions are the "
        "number of layers, the hidden size and the embedding size; a layer costs ∝ h·(e + h) per token, so with "
        "hidden and embedding sharing the ratio β the rule becomes α·β² ≈ 2. Compare configurations under the "
        "same budget of trials and epochs, and report the dev score with its variance over seeds."
    ),
    formula="layers = L₀·α^φ,   hidden = h₀·β^φ,   embedding = e₀·β^φ,   cost per token ∝ L·h·(e + h),   α·β² ≈ 2",
    misconceptions=(
        "Doubling the width does not double the cost of a recurrent or linear layer; it quadruples it.",
        "Scaling rules found on images do not transfer as numbers; the ratios must be searched for your task.",
        "A bigger model is not better when the data is small: watch the dev curve, not the train curve.",
    ),
    commands=("seqlab params lstm", "seqlab train --model lstm --layers 2 --hidden 256"),
    demo_function="seqlab.explain.demos.practice:compound_scaling_demo",
)


BIAS_PROBES = Topic(
    id="bias-probes",
    title="Counterfactual bias probes",
    summary="Change only a protected attribute (he/she, a name) and measure how much the prediction moves.",
    idea=(
        "A counterfactual probe builds pairs of inputs that differ only in one attribute that should not "
        "matter, such as swapping he/she, his/her, or names associated with different genders or origins, and "
        "compares the model's predictions. A fair model on that axis gives (nearly) the same probability for "
        "both; a systematic gap, or label flips, show that the model uses the attribute as a cue, usually "
        "because the training data correlates it with the label. Report the mean gap, its spread and the flip "
        "rate over many templates, and compare with the model's own seed-to-seed variation."
    ),
    formula="gap(x) = p(y | x) − p(y | swap(x)),   bias = E_x[gap(x)],   flip rate = P[argmax changes under swap]",
    misconceptions=(
        "A zero gap on a few templates does not prove a model unbiased; probes only detect what they test.",
        "Swapping must be consistent (he→she, his→her, him→her) or the probe measures grammar errors.",
        "Bias comes mostly from data correlations, not from the architecture.",
    ),
    commands=('seqlab predict RUN "he is brilliant"', 'seqlab predict RUN "she is brilliant"'),
    demo_function="seqlab.explain.demos.practice:bias_probes_demo",
)


METRICS = Topic(
    id="metrics",
    title="Evaluation metrics and baselines",
    summary="Accuracy, precision, recall, F1, macro averages and confusion matrices, next to baselines.",
    idea=(
        "Accuracy is the share of correct predictions; on imbalanced data a model can score high by always "
        "saying the majority class. Per class, precision asks how many predicted c are truly c, recall how "
        "many true c were found, and F1 is their harmonic mean. Macro-F1 averages F1 over classes with equal "
        "weight, so rare classes count as much as frequent ones. The confusion matrix shows which classes are "
        "confused (e.g. neighbours on SST's 5-point scale). Compare against the majority and random baselines, "
        "tune on dev, and report test once."
    ),
    formula=(
        "P_c = TP_c / (TP_c + FP_c),   R_c = TP_c / (TP_c + FN_c),   F1_c = 2 P_c R_c / (P_c + R_c)\n"
        "macro-F1 = (1/C) Σ_c F1_c,   accuracy = Σ_c TP_c / N,   E[accuracy of uniform random] = 1/C"
    ),
    misconceptions=(
        "High accuracy on imbalanced data can mean a useless model; check the majority baseline.",
        "Macro-F1 is not the F1 of macro precision and macro recall; it averages per-class F1s.",
        "Choosing the model or epoch on the test set makes the test score optimistic; use dev.",
    ),
    commands=("seqlab evaluate RUN", "seqlab plot confusion RUN"),
    demo_function="seqlab.explain.demos.practice:metrics_demo",
)

TOPICS: tuple[Topic, ...] = (CROSS_ENTROPY, FINE_TUNING, PARAMETERS, COMPOUND_SCALING, BIAS_PROBES, METRICS)

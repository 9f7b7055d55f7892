"""Topics about turning text into vectors: tokenization (WordPiece) and embeddings."""

from __future__ import annotations

from seqlab.data.encoded import SPELLING_NOTE
from seqlab.explain.topic import Topic


TOKENIZATION = Topic(
    id="tokenization",
    title="Tokenization and WordPiece",
    summary="Text becomes ids: whole words with [UNK], or subword pieces that spell any word.",
    idea=(
        "A model reads integer ids, so text is first cut into tokens from a fixed vocabulary. A word-level "
        "vocabulary (lowercased words, often with stop words removed and a minimum frequency) is simple, but "
        "every unseen word becomes [UNK]. WordPiece (BERT) keeps frequent words whole and splits rare ones into "
        "pieces: greedily take the longest vocabulary entry that starts the word, then continue with pieces "
        "marked '##' (they attach to the previous piece). With ~30k pieces almost nothing is unknown, and "
        "related words share pieces. BERT adds [CLS] at the start and [SEP] after each sentence, with segment "
        f"ids 0/1 for sentence pairs. {SPELLING_NOTE}"
    ),
    formula=(
        "word = p₁ p₂ … pₖ,  p₁ = longest prefix in V,   pᵢ = '##' + longest next piece in V\n"
        "input = [CLS] a₁ … aₙ [SEP] b₁ … bₘ [SEP],  segment = 0 … 0 1 … 1"
    ),
    misconceptions=(
        "WordPiece does not split on morphology; it picks whatever pieces the vocabulary learned from frequency.",
        "'##' is not a separate token: it marks a piece that continues the previous one.",
        "A tokenizer must match its model: ids from another vocabulary index the wrong embedding rows.",
    ),
    commands=('seqlab tokenize "unbelievably good"', "seqlab data stats builtin-sentiment"),
    demo_function="seqlab.explain.demos.text:tokenization_demo",
)


EMBEDDINGS = Topic(
    id="embeddings",
    title="Embeddings",
    summary="A learned table with one vector per token id; lookup = one-hot times a matrix.",
    idea=(
        "An embedding layer is a V x d matrix E; token id t is represented by row E[t]. Looking it up is the "
        "same as multiplying a one-hot vector by E, so E is trained by backpropagation like any weight (only "
        "the rows of tokens in the batch get gradient). The vectors are context-free: 'bank' gets one vector; "
        "recurrent or attention layers on top make representations depend on context. BERT sums three tables: "
        "word, position and segment embeddings, then applies layer norm. Embeddings are often the largest "
        "part of a small model's parameter count."
    ),
    formula="x_t = E[t] = one_hot(t) · E,   E ∈ ℝ^(V×d),   params = V·d",
    misconceptions=(
        "Embeddings are not fixed word2vec vectors unless you freeze them; normally they are trained with the model.",
        "Static embeddings cannot disambiguate word senses; contextual ones come from the layers above.",
        "The padding row (padding_idx) receives no gradient; it is not a learned 'empty word'.",
    ),
    commands=("seqlab params bert-base-uncased", 'seqlab tokenize "a bank by the river"'),
    demo_function="seqlab.explain.demos.text:embeddings_demo",
)

TOPICS: tuple[Topic, ...] = (TOKENIZATION, EMBEDDINGS)

"""Tour step "tokenize": one sentence through the word vocabulary and WordPiece (see seqlab.tour.data)."""

from seqlab.tour import TourStep
from seqlab.tour.data import run_tokenize

STEP = TourStep("tokenize", "word vocabulary vs WordPiece on one sentence", run_tokenize)

"""The torch halves of the identities: one module per module of seqlab/proofs, each check a function its
Identity names in `live_check` ("module:function", imported on first use), so `seqlab prove` loads no torch."""

"""`python -m seqlab` (and `torchrun -m seqlab`) runs the CLI."""

from seqlab.cli import main

if __name__ == "__main__":
    main()

"""Tests of seqlab.counting: formulas, parameter reports and their table."""

"""A safe evaluator for arithmetic answers such as ``4*128*(100+128) + 8*128``: numbers and + - * / ** ( ) only.

It parses with ``ast`` and walks the tree itself; names, calls, attributes and every other node are
refused, so nothing a learner types can run code. Exponents are capped so ``9**9**9`` cannot hang.
"""

from __future__ import annotations

import ast
import operator

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
MAX_EXPONENT = 64
MAX_LENGTH = 200
# What people type for multiply and power, turned into Python's spelling first.
_SPELLINGS = {"·": "*", "×": "*", "x": "*", "^": "**", "−": "-", "_": "", ",": ""}


class NotArithmetic(ValueError):
    """Text that is not a plain arithmetic expression (the message says why)."""


def _value(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _value(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_value(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _value(node.left), _value(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise NotArithmetic(f"exponent {right:g} is too large (at most {MAX_EXPONENT})")
        if isinstance(node.op, ast.Div) and right == 0:
            raise NotArithmetic("division by zero")
        return _BINARY[type(node.op)](left, right)
    raise NotArithmetic("only numbers and + - * / ** ( ) are allowed")


def evaluate(text: str) -> float:
    """The value of an arithmetic expression (numbers, + - * / ** and parentheses; `x`, `·`, `^` accepted)."""
    source = text.strip().lower()
    if not source or len(source) > MAX_LENGTH:
        raise NotArithmetic("empty or too long")
    for spelled, python in _SPELLINGS.items():
        source = source.replace(spelled, python)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        raise NotArithmetic("not an arithmetic expression") from None
    try:
        return float(_value(tree))
    except OverflowError:
        raise NotArithmetic("the number is too large") from None


def is_expression(text: str) -> bool:
    """Whether `text` is more than a plain number (so showing its value helps)."""
    try:
        float(text.strip().replace("_", "").replace(",", ""))
        return False
    except ValueError:
        return True

"""Kubernetes resource quantities (`250m`, `2Gi`, `1e3`), parsed for validation and comparison.

The grammar and bounds are the API server's (k8s.io/apimachinery pkg/api/resource/quantity.go):
a signed decimal number, then a binary suffix (Ki..Ei), a decimal suffix (n, u, m, k, M..E) or a
decimal exponent (e3, E-2). The API server caps a value at 2^63-1 and rounds one finer than 1n up,
both without telling: such values are refused here, as they would not mean what they say.
Ref: https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
"""

import re
from decimal import MAX_EMAX, MIN_EMIN, Decimal, localcontext

_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_QUANTITY = re.compile(r"(?P<number>[+-]?(\d+(\.\d*)?|\.\d+))(?P<suffix>[KMGTPE]i|[eE][+-]?\d+|[numkMGTPE]?)", re.ASCII)
_BYTE_UNIT = re.compile(r"(?P<number>\d+\.?\d*)\s*(?P<unit>[kKMGTPE])i?B")
MAX_QUANTITY = Decimal(2**63 - 1)
"""The largest value the API server keeps as written (base units)."""
_NANO = Decimal("1e-9")
_TOO_LARGE = "{text!r} is more than Kubernetes can hold (2^63-1); the API server would silently cap it"
_TOO_FINE = "{text!r} is finer than 1n; the API server would silently round it up"


class QuantityError(ValueError):
    """`text` is not a quantity Kubernetes keeps as written."""


def parse_quantity(text: str) -> Decimal:
    """The value of a quantity in base units; QuantityError with a suggestion when it is not one."""
    match = _QUANTITY.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        hint = ""
        byte_unit = _BYTE_UNIT.fullmatch(text) if isinstance(text, str) else None
        if byte_unit:
            hint = f" (try {byte_unit.group('number')}{byte_unit.group('unit').upper()}i)"
        raise QuantityError(f"{text!r} is not a Kubernetes quantity{hint}; examples: 250m, 1, 512Mi, 2Gi")
    suffix = match.group("suffix")
    with localcontext() as context:
        context.prec, context.Emax, context.Emin = 60, MAX_EMAX, MIN_EMIN
        number = Decimal(match.group("number"))
        if suffix in _BINARY:
            value = number * Decimal(1024) ** _BINARY[suffix]
        elif suffix in _DECIMAL:
            value = number.scaleb(_DECIMAL[suffix])
        else:
            # An exponent of more than 6 digits puts any non-zero value past one of the bounds below.
            if number != 0 and len(suffix[1:].lstrip("+-").lstrip("0")) > 6:
                raise QuantityError((_TOO_FINE if "-" in suffix else _TOO_LARGE).format(text=text))
            value = number.scaleb(int(suffix[1:]))
        if abs(value) > MAX_QUANTITY:
            raise QuantityError(_TOO_LARGE.format(text=text))
        if value % _NANO != 0:
            raise QuantityError(_TOO_FINE.format(text=text))
        return +value

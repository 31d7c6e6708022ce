"""Kubernetes resource quantities (`250m`, `2Gi`, `1e3`), parsed for validation and comparison.

Ref: https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
"""

import re
from decimal import Decimal

_SUFFIXES = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
    "Pi": Decimal(2**50),
    "Ei": Decimal(2**60),
}
_QUANTITY = re.compile(r"^(?P<number>\+?(\d+\.?\d*|\.\d+))(?P<suffix>[eE][+-]?\d+|[numkMGTPE]i?|)$")
_BYTE_UNIT = re.compile(r"^(?P<number>\d+\.?\d*)\s*(?P<unit>[kKMGTPE])i?B$")


def parse_quantity(text: str) -> Decimal:
    """The value of a quantity in base units; ValueError with a suggestion when it is not one."""
    match = _QUANTITY.fullmatch(text) if isinstance(text, str) else None
    if match is None or match.group("suffix") in ("ni", "ui", "mi"):
        hint = ""
        byte_unit = _BYTE_UNIT.match(text) if isinstance(text, str) else None
        if byte_unit:
            hint = f" (try {byte_unit.group('number')}{byte_unit.group('unit').upper()}i)"
        raise ValueError(f"{text!r} is not a Kubernetes quantity{hint}; examples: 250m, 1, 512Mi, 2Gi")
    suffix = match.group("suffix")
    number = Decimal(match.group("number"))
    if suffix[:1] in ("e", "E"):
        return number * (Decimal(10) ** int(suffix[1:]))
    return number * _SUFFIXES[suffix]

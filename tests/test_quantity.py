"""The quantity parser follows the API server's rules (k8s.io/apimachinery pkg/api/resource/quantity.go).

Expected values are worked out from the Kubernetes quantity grammar by hand; the `kubernetes` Python
client's `parse_quantity` is a second reading of the same rules, compared on every input both accept.
"""

import contextlib
import random
from decimal import Decimal

import pytest
from kubernetes.utils import parse_quantity as client_parse_quantity

from components.quantity import QuantityError, parse_quantity

# (input, value in base units) for what the API server keeps as written.
VALID = [
    ("0", Decimal(0)),
    ("1", Decimal(1)),
    ("250m", Decimal("0.25")),
    ("1.5", Decimal("1.5")),
    (".5", Decimal("0.5")),
    ("1.", Decimal(1)),
    ("+2", Decimal(2)),
    ("100n", Decimal("1e-7")),
    ("1n", Decimal("1e-9")),
    ("5u", Decimal("5e-6")),
    ("1k", Decimal(1000)),
    ("2M", Decimal(2 * 10**6)),
    ("3G", Decimal(3 * 10**9)),
    ("1T", Decimal(10**12)),
    ("1P", Decimal(10**15)),
    ("1E", Decimal(10**18)),
    ("512Ki", Decimal(512 * 1024)),
    ("512Mi", Decimal(512 * 2**20)),
    ("2Gi", Decimal(2 * 2**30)),
    ("1.5Gi", Decimal(3 * 2**29)),
    ("1Ti", Decimal(2**40)),
    ("1Pi", Decimal(2**50)),
    ("1Ei", Decimal(2**60)),
    ("7Ei", Decimal(7 * 2**60)),
    ("1e3", Decimal(1000)),
    ("1E3", Decimal(1000)),
    ("1e+3", Decimal(1000)),
    ("25e-2", Decimal("0.25")),
    ("1e-9", Decimal("1e-9")),
    ("9223372036854775807", Decimal(2**63 - 1)),
    ("0.000000001", Decimal("1e-9")),
]

# Inputs the API server refuses, or would silently change (cap at 2^63-1, round finer than 1n up).
INVALID = [
    "",
    ".",
    "+",
    "1K",  # decimal kilo is lower-case k
    "1ki",
    "1mi",
    "1ni",
    "1KiB",
    "1GB",
    "2 Gi",
    " 1",
    "1 ",
    "1e",
    "1e1.5",
    "e3",
    "0x10",
    "1_000",
    "inf",
    "NaN",
    "1,5",
    "١",  # a non-ASCII digit
    "8Ei",  # 2^63: capped
    "9223372036854775808",
    "1e1000000",
    "1e99999999999999999999",
    "1e-10",  # finer than 1n: rounded up
    "0.5n",
    "1e-1000000",
]


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[text for text, _ in VALID])
def test_a_kubernetes_quantity_has_its_value(text, expected):
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[text for text, _ in VALID])
def test_the_kubernetes_client_reads_each_valid_quantity_the_same(text, expected):
    assert client_parse_quantity(text) == expected == parse_quantity(text)


@pytest.mark.parametrize("text", INVALID, ids=[repr(text) for text in INVALID])
def test_an_invalid_quantity_is_refused_with_a_quantity_error(text):
    with pytest.raises(QuantityError, match="quantity|Kubernetes can hold|finer than 1n"):
        parse_quantity(text)


def test_a_byte_unit_gets_the_binary_suffix_suggested():
    with pytest.raises(QuantityError, match=r"try 2Gi"):
        parse_quantity("2GB")


def test_no_input_escapes_as_another_exception():
    """Random strings over the quantity alphabet: only a value or a QuantityError, never a traceback."""
    alphabet = "0123456789.+-eEinumkKMGTP \x00"
    generator = random.Random(15)
    for _ in range(3000):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 12)))
        with contextlib.suppress(QuantityError):
            parse_quantity(text)

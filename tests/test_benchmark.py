"""The preview benchmark's floor child (scripts/benchmark.py) registers what it claims: as many custom
resources and components as it is given. No timing is asserted: the benchmark is run by hand
(docs/benchmark.md)."""

from scripts.benchmark import floor_child, sample


def test_floor_child_registers_the_counts_it_is_given() -> None:
    result = sample("floor", floor_child(custom=5, components=2))

    assert (result["resources"], result["custom"]) == (7, 5)
    assert "pulumi_kubernetes.core.v1" in result["k8s"]

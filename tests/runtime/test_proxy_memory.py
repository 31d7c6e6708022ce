"""The memory floor the config refuses limits under (components/settings/rules.py) is what the real proxy holds."""

from components.quantity import parse_quantity
from components.settings.rules import PROXY_MEMORY_FLOOR
from tests.runtime.conftest import Fleet


def _resident_bytes(pid: int) -> int:
    """Resident memory of a process and its children (the proxy may fork workers), from /proc."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        with open(f"/proc/{current}/status", encoding="ascii") as status:
            total += next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))
        with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as children:
            pids.extend(int(child) for child in children.read().split())
    return total


def test_the_memory_floor_is_under_what_a_serving_proxy_holds(fleet: Fleet):
    """A limit under the floor cannot hold the proxy once it serves; a floor far under it would let such limits
    through."""
    proxy = fleet["prod"]
    assert proxy.chat("gpt-4o", "memory floor").status == 200
    assert proxy.process is not None
    held = _resident_bytes(proxy.process.pid)
    floor = parse_quantity(PROXY_MEMORY_FLOOR)
    assert floor <= held <= 2 * floor, f"the serving proxy holds {held / 2**20:.0f} MiB; floor {PROXY_MEMORY_FLOOR}"

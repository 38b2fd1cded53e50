"""`manage.py architecture map`: the modules, contracts, events, endpoints and tasks, drawn from the code."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from commerce.architecture.modulemap import code_facts, map_build
from commerce.architecture.modulemap_render import render
from commerce.architecture.source import ROOT
from contracts.container import MODULES, contract_protocols

DOC = ROOT / "docs" / "architecture.md"


@pytest.fixture(scope="module")
def data() -> dict:
    return map_build()


def test_the_committed_map_is_the_generated_one(data):
    assert DOC.read_text() == render(data, "markdown"), "docs/architecture.md is stale: run `make map` and commit it"


def test_every_module_is_on_the_map_with_its_contract_and_types(data):
    assert [m["name"] for m in data["modules"]] == list(MODULES)
    for module, protocol in zip(data["modules"], contract_protocols().values(), strict=True):
        declared = [name for name, value in vars(protocol).items() if callable(value) and not name.startswith("_")]
        assert [m["name"] for m in module["contract"]["methods"]] == declared
    inventory = next(m for m in data["modules"] if m["name"] == "inventory")
    (availability,) = [m for m in inventory["contract"]["methods"] if m["name"] == "availability_get"]
    assert availability["signature"] == "(*, skus: Sequence[str]) -> Mapping[str, Availability]"


def test_signatures_keep_kinds_and_defaults():
    from commerce.architecture.modulemap import signature_text

    def method(self, a: int, /, b: str = "", *args: int, c: float | None = None, **extra: object) -> None: ...

    assert signature_text(method) == "(a: int, b: str = '', *args: int, c: float | None = None, **extra: object) -> None"


def test_events_show_who_publishes_from_the_code_and_who_subscribes_from_the_registry(data):
    events = {e["name"]: e for e in data["events"]}
    placed = events["checkout.OrderPlaced"]
    assert placed["publishers"] == ["checkout"]
    assert all(site.startswith("modules/checkout/") for site in placed["published_at"]["checkout"])
    assert {"inventory.order_placed_commit", "pricing.voucher_confirm"} <= {s["subscriber"] for s in placed["subscribers"]}
    assert events["inventory.OutOfStockReached"]["publishers"] == ["inventory"]  # built in a helper, published in bulk
    assert events["pricing.PriceChanged"]["publishers"] == ["pricing"]


def test_endpoints_and_periodic_tasks_per_module(data):
    modules = {m["name"]: m for m in data["modules"]}
    assert {"path": "/api/v1/catalog/products/", "methods": ["GET"], "name": "catalog-products", "view": "ProductListView"} in (
        modules["catalog"]["endpoints"]
    )
    assert any(e["path"] == "/api/v1/pricing/quotes/" and e["methods"] == ["POST"] for e in modules["pricing"]["endpoints"])
    assert {"name": "reservations-expire", "task": "modules.inventory.tasks.reservations_expire", "seconds": 60} in (
        modules["inventory"]["periodic_tasks"]
    )
    assert "pricing" in modules["checkout"]["calls"] and "quote_create" in modules["checkout"]["calls"]["pricing"]


def test_a_publish_added_to_the_code_appears_on_the_map(tmp_path):
    copy = tmp_path / "tree"
    shutil.copytree(ROOT / "modules", copy / "modules", ignore=shutil.ignore_patterns("__pycache__", "tests"))
    (copy / "modules" / "inventory" / "injected.py").write_text(
        "from decimal import Decimal\n\nfrom contracts import events\nfrom contracts.pricing import PriceChanged\n\n\n"
        "def leak():\n    events.publish(PriceChanged(sku='A', currency='EUR', amount=Decimal(1), compare_at=None))\n"
    )
    facts = code_facts(copy)
    assert facts["inventory"]["publishes"]["pricing.PriceChanged"] == ["modules/inventory/injected.py:8"]
    assert "pricing.PriceChanged" not in code_facts(ROOT)["inventory"]["publishes"]


def test_formats(data, capsys):
    mermaid = render(data, "mermaid")
    assert mermaid.startswith("flowchart LR\n")
    assert re.search(r"^    checkout -->\|\"[^\"]*quote_create[^\"]*\"\| pricing$", mermaid, re.MULTILINE)
    assert re.search(r"^    checkout -\.->\|\"OrderCancelled, OrderPlaced\"\| inventory$", mermaid, re.MULTILINE)
    assert json.loads(render(data, "json")) == json.loads(json.dumps(data))
    page = render(data, "html")
    assert page.startswith("<!doctype html>") and "<svg" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the page loads nothing from outside"
    assert json.loads(re.search(r"<script type='application/json' id='map'>(.*?)</script>", page, re.S).group(1)) == json.loads(
        json.dumps(data)
    )
    call_command("architecture", "map", "--format", "mermaid")
    assert capsys.readouterr().out == mermaid


def test_the_command_writes_a_file(tmp_path: Path):
    target = tmp_path / "map.html"
    call_command("architecture", "map", "--format", "html", "--output", str(target))
    assert target.read_text().startswith("<!doctype html>")

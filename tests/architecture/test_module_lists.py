"""Every list of the modules agrees with the one definition, ``contracts.container.MODULES``."""

from __future__ import annotations

import configparser
import inspect
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

from commerce.transport.protocols import CONTRACT_PROTOCOLS
from commerce.wiring import LOCAL_FACADES
from contracts.container import MODULES, services_override

ROOT = Path(__file__).resolve().parents[2]


def test_settings_wiring_and_transport_know_every_module():
    assert settings.ALL_MODULES == MODULES
    assert tuple(LOCAL_FACADES) == MODULES and tuple(CONTRACT_PROTOCOLS) == MODULES
    assert tuple(inspect.signature(services_override).parameters) == MODULES
    assert {module for module in MODULES if apps.is_installed(f"modules.{module}")} == set(settings.MODULES)


def test_every_module_has_the_same_anatomy():
    for module in MODULES:
        folder = ROOT / "modules" / module
        for part in ("apps.py", "models.py", "facade.py", "admin.py", "api", "tests"):
            assert (folder / part).exists(), f"modules/{module}/{part} is missing"
        for layer in ("selectors", "services"):  # a file, or a package by concern once it grows
            assert (folder / f"{layer}.py").exists() != (folder / layer).is_dir(), f"modules/{module}: one {layer}"


def test_import_rules_name_every_module():
    config = configparser.ConfigParser()
    config.read(ROOT / "importlinter.ini")
    independent = config["importlinter:contract:modules-independent"]["modules"].split()
    assert independent == [f"modules.{module}" for module in MODULES]


def test_makefile_splits_every_module():
    makefile = (ROOT / "Makefile").read_text()
    (names,) = re.findall(r"SPLIT_DATABASES = \$\(foreach m,([A-Z ]+),", makefile)
    assert names.split() == [module.upper() for module in MODULES]

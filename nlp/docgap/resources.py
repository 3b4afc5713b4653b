"""Locate the data shipped with the package (lexicons, policies).

The repo keeps lexicons/ and policies/ at the top level; pyproject.toml maps them into the installed
package as docgap.lexicons and docgap.policies, so importlib.resources finds them after `pip install .`.
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any


def data_dir(package: str) -> Path:
    return Path(str(resources.files(f"docgap.{package}")))


def load_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path.name}: not valid JSON (line {e.lineno}, column {e.colno}): {e.msg}") from None

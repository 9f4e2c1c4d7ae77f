"""The demo organisation (`qms demo`, as a new user builds it) on its own SQLite file, for
modules that read it many times without changing it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask

from qms import create_app
from qms.demo import demo_command
from qms.printing import render
from tests import pdf_memo
from tests.conftest import SHARED_BYTECODE, build_settings


@contextmanager
def demo_app(root: Path, migrated_sqlite: Path) -> Iterator[tuple[Flask, str]]:
    """(the app, what `qms demo` printed: the logins)."""
    target = root / "qms.sqlite3"
    target.write_bytes(migrated_sqlite.read_bytes())
    app = create_app(build_settings(root, f"sqlite:///{target}"))
    app.jinja_env.bytecode_cache = SHARED_BYTECODE
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "render_isolated", pdf_memo.render_in_process)
        result = app.test_cli_runner().invoke(demo_command)
        assert result.exit_code == 0, result.output
        yield app, result.output
    app.extensions["qms_db"].engine.dispose()

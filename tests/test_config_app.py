"""The app's settings: login, queue, upload limit, link allowlist and MCP flag, read from ASSISTANT_*."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError


def test_settings__app_options_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "ASSISTANT_AUTH": "reader:pa:ss",
            "ASSISTANT_QUEUE_SIZE": "4",
            "ASSISTANT_MAX_UPLOAD_MB": "2",
            "ASSISTANT_LINK_HOSTS": " Reuters.com, apnews.com ,",
            "ASSISTANT_MCP": "1",
            "ASSISTANT_FLASH_ATTN": "off",
            "ASSISTANT_SECOND_ARTICLE_FLOOR": "0",
        }
    )
    assert settings.flash_attn is False
    assert settings.second_article_floor == 0.0
    assert settings.auth == ("reader", "pa:ss") and "pa:ss" not in repr(settings)
    assert (settings.queue_size, settings.max_upload_mb, settings.mcp) == (4, 2, True)
    assert settings.link_hosts == ("reuters.com", "apnews.com")


def test_settings__app_defaults_are_closed() -> None:
    settings = Settings.from_env({})
    assert (settings.auth, settings.link_hosts, settings.mcp) == (None, (), False)
    assert settings.flash_attn is True


@pytest.mark.parametrize(
    ("env", "slots"),
    [
        ({}, 1),
        ({"ASSISTANT_LLM_CONCURRENCY": "1"}, 1),
        ({"ASSISTANT_LLM": "openai"}, 8),
        ({"ASSISTANT_LLM": "openai", "ASSISTANT_LLM_CONCURRENCY": "16"}, 16),
    ],
)
def test_settings__answers_generated_at_once_follow_the_backend(env: dict[str, str], slots: int) -> None:
    assert Settings.from_env(env).generation_slots == slots


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ASSISTANT_LLM_CONCURRENCY", "2", "The embedded model answers one question at a time"),
        ("ASSISTANT_LLM_CONCURRENCY", "0", "at least 1"),
        ("ASSISTANT_BROWSER_KEY", "short", "at least 16 characters"),
        ("ASSISTANT_AUTH", "no-colon", "must be 'user:password'"),
        ("ASSISTANT_AUTH", ":secret", "must be 'user:password'"),
        ("ASSISTANT_MCP", "maybe", "must be 1 or 0"),
        ("ASSISTANT_FLASH_ATTN", "sometimes", "must be 1 or 0"),
        ("ASSISTANT_QUEUE_SIZE", "0", "at least 1"),
        ("ASSISTANT_SECOND_ARTICLE_FLOOR", "1.5", "ASSISTANT_SECOND_ARTICLE_FLOOR must be between 0 and 1"),
    ],
)
def test_settings__bad_app_options_are_named(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({name: value})


def test_main__a_busy_port_is_named_at_once_before_anything_is_loaded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert app.main(["--port", str(port)]) == 2
    error = capsys.readouterr().err
    assert f"Cannot listen on 127.0.0.1:{port}" in error and "ASSISTANT_PORT" in error
    assert not (tmp_path / "data").exists()  # no store opened, nothing ingested


def test_browser_key__shared_when_set_else_made_once_and_kept_in_the_data_dir(tmp_path: Path) -> None:
    import app

    settings = Settings.from_env({}).with_(data_dir=tmp_path / "data")
    made = app._secret(settings)
    assert len(made) >= 16 and app._secret(settings) == made  # read back, as after a restart
    assert (tmp_path / "data" / "browser-state.key").stat().st_mode & 0o777 == 0o600
    shared = Settings.from_env({"ASSISTANT_BROWSER_KEY": "k" * 20}).with_(data_dir=tmp_path / "other")
    assert app._secret(shared) == "k" * 20 and not (tmp_path / "other" / "browser-state.key").exists()

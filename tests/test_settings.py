from pathlib import Path

import pytest

from mltrail.settings import Settings, reference_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_mltrail_variable_wins_over_mlflow_twin() -> None:
    env = {"MLFLOW_TRACKING_URI": "sqlite:///a.db", "MLTRAIL_TRACKING_URI": "sqlite:///b.db"}
    assert Settings.from_env(env).tracking_uri == "sqlite:///b.db"


def test_mlflow_variable_is_honoured_alone() -> None:
    settings = Settings.from_env({"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "3"})
    assert settings.http_request_max_retries == 3


def test_booleans_parse_and_bad_values_say_which_variable() -> None:
    assert Settings.from_env(
        {"MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING": "TRUE"}
    ).enable_system_metrics_logging
    with pytest.raises(ValueError, match="TRUNCATE_LONG_VALUES must be true or false"):
        Settings.from_env({"MLFLOW_TRUNCATE_LONG_VALUES": "maybe"})


def test_mltrail_only_options_ignore_mlflow_names() -> None:
    assert Settings.env_names("log_git_diff") == ("MLTRAIL_LOG_GIT_DIFF",)
    assert Settings.from_env({"MLFLOW_LOG_GIT_DIFF": "false"}).log_git_diff is True


def test_settings_reference_page_is_current() -> None:
    assert DOCS.read_text() == reference_markdown(), (
        "regenerate: python -m mltrail.settings > docs/settings.md"
    )


def test_optional_numbers_parse_by_declared_type() -> None:
    settings = Settings.from_env({"MLFLOW_SQLALCHEMYSTORE_POOL_SIZE": "7"})
    assert settings.sqlalchemystore_pool_size == 7
    assert Settings.from_env({}).sqlalchemystore_pool_size is None
    with pytest.raises(ValueError, match="SQLALCHEMYSTORE_MAX_OVERFLOW must be an integer"):
        Settings.from_env({"MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW": "many"})

"""Frozen domain entities with MLflow's names and fields (``mlflow.entities``)."""

from mltrail.entities.dataset import (
    Dataset,
    DatasetInput,
    InputTag,
    LoggedModelInput,
    LoggedModelOutput,
)
from mltrail.entities.enums import (
    LifecycleStage,
    LoggedModelStatus,
    RunStatus,
    SourceType,
    ViewType,
)
from mltrail.entities.experiment import Experiment, ExperimentTag
from mltrail.entities.files import FileInfo
from mltrail.entities.logged_model import LoggedModel, LoggedModelParameter, LoggedModelTag
from mltrail.entities.paged_list import PagedList
from mltrail.entities.registry import (
    ModelVersion,
    ModelVersionStage,
    ModelVersionStatus,
    ModelVersionTag,
    RegisteredModel,
    RegisteredModelAlias,
    RegisteredModelTag,
)
from mltrail.entities.run import Metric, Param, Run, RunData, RunInfo, RunInputs, RunOutputs, RunTag
from mltrail.entities.webhook import (
    Webhook,
    WebhookAction,
    WebhookEntity,
    WebhookEvent,
    WebhookStatus,
    WebhookTestResult,
)

__all__ = [
    "Dataset",
    "DatasetInput",
    "Experiment",
    "ExperimentTag",
    "FileInfo",
    "InputTag",
    "LifecycleStage",
    "LoggedModel",
    "LoggedModelInput",
    "LoggedModelOutput",
    "LoggedModelParameter",
    "LoggedModelStatus",
    "LoggedModelTag",
    "Metric",
    "ModelVersion",
    "ModelVersionStage",
    "ModelVersionStatus",
    "ModelVersionTag",
    "PagedList",
    "Param",
    "RegisteredModel",
    "RegisteredModelAlias",
    "RegisteredModelTag",
    "Run",
    "RunData",
    "RunInfo",
    "RunInputs",
    "RunOutputs",
    "RunStatus",
    "RunTag",
    "SourceType",
    "ViewType",
    "Webhook",
    "WebhookAction",
    "WebhookEntity",
    "WebhookEvent",
    "WebhookStatus",
    "WebhookTestResult",
]

"""Popular third-party integrations, unchanged, logging to a live mltrail server.

PyTorch Lightning's `MLFlowLogger`, Hugging Face's `Trainer(report_to="mlflow")` and Optuna's
`MLflowCallback` all drive the official `mlflow` client; each test runs one of them for a few
tiny steps against the session's mltrail server, then reads back through mltrail's own client
exactly what the integration says it logs.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from mltrail.entities import Run
from mltrail.store.uri import artifact_repository_for
from mltrail.tracking.client import MltrailClient
from tests.compat.conftest import LiveServer

pytestmark = [pytest.mark.compat, pytest.mark.slow]

PARENT_RUN_ID_TAG = "mlflow.parentRunId"
RUN_NAME_TAG = "mlflow.runName"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """Two cores shared by many: keep torch's intra-op pool at one thread."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def tracked(live_server: LiveServer) -> MltrailClient:
    """mltrail's own client on the server the integrations log to: the reader of record."""
    return MltrailClient(live_server.url)


def only_run(client: MltrailClient, experiment_name: str) -> Run:
    experiment = client.get_experiment_by_name(experiment_name)
    assert experiment is not None, f"the integration created no experiment {experiment_name!r}"
    runs = client.search_runs([experiment.experiment_id])
    assert len(runs) == 1, [r.info.run_name for r in runs]
    return runs[0]


def history(client: MltrailClient, run_id: str, key: str) -> list[tuple[int, float]]:
    """A metric's (step, value) pairs in step order."""
    return sorted((m.step, m.value) for m in client.get_metric_history(run_id, key))


def artifact_paths(client: MltrailClient, run_id: str, path: str | None = None) -> set[str]:
    return {f.path for f in client.list_artifacts(run_id, path)}


# -- PyTorch Lightning ---------------------------------------------------------------------


# Lightning's own noise, which the suite's warnings-as-errors would turn into failures.
@pytest.mark.filterwarnings("ignore:.*LeafSpec.*:FutureWarning")
@pytest.mark.filterwarnings("ignore:.*does not have many workers.*")
def test_lightning_mlflow_logger(
    mlflow: ModuleType, tracked: MltrailClient, live_server: LiveServer, tmp_path: Path
) -> None:
    import pytorch_lightning as pl
    import torch
    from pytorch_lightning.callbacks import ModelCheckpoint
    from pytorch_lightning.loggers import MLFlowLogger
    from torch.utils.data import DataLoader, TensorDataset

    class TinyRegressor(pl.LightningModule):
        def __init__(self, hidden: int = 4, lr: float = 0.05) -> None:
            super().__init__()
            self.save_hyperparameters()
            self.net = torch.nn.Sequential(
                torch.nn.Linear(3, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1)
            )

        def _loss(self, batch: list[torch.Tensor]) -> torch.Tensor:
            x, y = batch
            return torch.nn.functional.mse_loss(self.net(x), y)

        def training_step(self, batch: list[torch.Tensor], batch_idx: int) -> torch.Tensor:
            loss = self._loss(batch)
            self.log("train_loss", loss, on_step=True, on_epoch=False)
            return loss

        def validation_step(self, batch: list[torch.Tensor], batch_idx: int) -> None:
            self.log("val_loss", self._loss(batch), on_step=False, on_epoch=True)

        def configure_optimizers(self) -> torch.optim.Optimizer:
            return torch.optim.SGD(self.parameters(), lr=self.hparams["lr"])

    torch.manual_seed(0)
    x = torch.randn(16, 3)
    data = TensorDataset(x, x.sum(dim=1, keepdim=True))
    train = DataLoader(data, batch_size=4)  # 4 batches an epoch
    val = DataLoader(data, batch_size=8)

    name = unique("lightning")
    logger = MLFlowLogger(
        experiment_name=name,
        run_name="tiny-regressor",
        tracking_uri=live_server.url,
        tags={"team": "vision"},
        log_model="all",
    )
    checkpoints = ModelCheckpoint(dirpath=tmp_path / "ckpt", save_top_k=-1)  # every epoch
    trainer = pl.Trainer(
        max_epochs=2,
        logger=logger,
        callbacks=[checkpoints],
        accelerator="cpu",
        devices=1,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        default_root_dir=tmp_path,
    )
    trainer.fit(TinyRegressor(), train, val)

    run = only_run(tracked, name)
    assert run.info.run_id == logger.run_id
    assert run.info.run_name == "tiny-regressor"
    assert run.info.status == "FINISHED"
    assert run.info.end_time is not None
    assert run.data.tags["team"] == "vision"
    assert run.data.tags[RUN_NAME_TAG] == "tiny-regressor"
    assert run.data.params == {"hidden": "4", "lr": "0.05"}

    # A training-step metric is logged at the number of batches stepped before it (0..7);
    # the epoch's validation runs before that counter moves, so it shares the last step.
    train_loss = history(tracked, run.info.run_id, "train_loss")
    assert [step for step, _ in train_loss] == list(range(8))
    assert all(value > 0 for _, value in train_loss)
    assert [step for step, _ in history(tracked, run.info.run_id, "val_loss")] == [3, 7]
    assert run.data.metrics["val_loss"] == pytest.approx(
        trainer.callback_metrics["val_loss"].item()
    )
    # Lightning adds `epoch` to every logging call: each training step and each validation.
    expected_epochs = Counter((step, float(step // 4)) for step in [*range(8), 3, 7])
    assert Counter(history(tracked, run.info.run_id, "epoch")) == expected_epochs

    # log_model="all": each checkpoint lands in a folder named after it, with its metadata.
    saved = sorted(p.stem for p in (tmp_path / "ckpt").glob("*.ckpt"))
    assert saved == ["epoch=0-step=4", "epoch=1-step=8"]
    assert artifact_paths(tracked, run.info.run_id) == set(saved)
    for stem in saved:
        assert artifact_paths(tracked, run.info.run_id, stem) == {
            f"{stem}/{stem}.ckpt",
            f"{stem}/metadata.yaml",
            f"{stem}/aliases.txt",
        }
    last = Path(tracked.download_artifacts(run.info.run_id, saved[-1], str(tmp_path / "dl")))
    assert (last / "aliases.txt").read_text() == "['latest', 'best']"
    assert "original_filename: epoch=1-step=8.ckpt" in (last / "metadata.yaml").read_text()
    restored = torch.load(last / f"{saved[-1]}.ckpt", weights_only=False)
    assert restored["global_step"] == 8
    assert restored["hyper_parameters"] == {"hidden": 4, "lr": 0.05}
    for key, tensor in trainer.lightning_module.state_dict().items():
        assert torch.equal(restored["state_dict"][key], tensor), key


# -- Hugging Face transformers -------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:.*Any type hint is inferred:UserWarning")  # mlflow.pyfunc
def test_transformers_trainer_reports_to_mlflow(
    mlflow: ModuleType,
    tracked: MltrailClient,
    live_server: LiveServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import torch
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

    name = unique("transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the model is built from a config: no hub
    monkeypatch.setenv("MLFLOW_TRACKING_URI", live_server.url)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", name)
    monkeypatch.setenv("MLFLOW_TAGS", '{"team": "nlp"}')
    monkeypatch.setenv("HF_MLFLOW_LOG_ARTIFACTS", "1")  # each saved checkpoint as a model

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=32,
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        max_position_embeddings=16,
        num_labels=2,
    )
    model = BertForSequenceClassification(config)
    ids = torch.randint(0, config.vocab_size, (8, 6))
    examples = [{"input_ids": row, "labels": int(row.sum()) % 2} for row in ids]
    args = TrainingArguments(
        output_dir=str(tmp_path / "out"),
        run_name="tiny-bert",
        report_to=["mlflow"],
        max_steps=4,
        per_device_train_batch_size=4,
        per_device_eval_batch_size=8,
        learning_rate=1e-3,
        logging_steps=1,
        eval_strategy="steps",
        eval_steps=2,
        save_strategy="steps",
        save_steps=4,
        use_cpu=True,
        dataloader_num_workers=0,
        disable_tqdm=True,
        seed=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=examples, eval_dataset=examples)
    # Logged at the start of training (the config gains fields as it trains and saves).
    logged = {**model.config.to_dict(), **args.to_dict()}
    trainer.train()
    assert mlflow.active_run() is None  # the callback ends the run it started

    run = only_run(tracked, name)
    run_id = run.info.run_id
    assert run.info.run_name == "tiny-bert"
    assert run.info.status == "FINISHED"
    assert run.data.tags["team"] == "nlp"

    # Parameters: the model's config and the training arguments, every value as its str().
    assert run.data.params == {k: str(v) for k, v in logged.items()}
    assert run.data.params["max_steps"] == "4"
    assert run.data.params["hidden_size"] == "8"

    # Metrics: every number the trainer logged, at the global step it logged it at.
    expected: dict[str, Counter[tuple[int, float]]] = {}
    for entry in trainer.state.log_history:
        for key, value in entry.items():
            if key != "step" and isinstance(value, int | float):
                expected.setdefault(key, Counter())[(int(entry["step"]), float(value))] += 1
    assert {"loss", "eval_loss", "learning_rate", "train_runtime"} <= set(expected)
    assert set(run.data.metrics) == set(expected)
    for key, points in expected.items():
        assert Counter(history(tracked, run_id, key)) == points, key
    assert sorted(step for step, _ in history(tracked, run_id, "loss")) == [1, 2, 3, 4]
    assert sorted(step for step, _ in history(tracked, run_id, "eval_loss")) == [2, 4]

    # The checkpoint saved at step 4, logged as an MLflow 3 model linked to the run.
    experiment_id = run.info.experiment_id
    models = tracked.search_logged_models([experiment_id])
    assert [(m.name, m.source_run_id, m.status) for m in models] == [
        ("checkpoint-4", run_id, "READY")
    ]
    outputs = tracked.get_run(run_id).outputs.model_outputs
    assert [o.model_id for o in outputs] == [models[0].model_id]
    files = artifact_repository_for(models[0].artifact_location, live_server.url)
    assert {"MLmodel", "artifacts"} <= {f.path for f in files.list_artifacts()}
    checkpoint = {f.path for f in files.list_artifacts("artifacts/checkpoint-4")}
    assert "artifacts/checkpoint-4/model.safetensors" in checkpoint
    assert "artifacts/checkpoint-4/config.json" in checkpoint


# -- Optuna --------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")  # track_in_mlflow
# Deprecated since optuna-integration 4.9 (removal planned for 6.0), still shipped and used.
@pytest.mark.filterwarnings("ignore:MLflowCallback has been deprecated:FutureWarning")
def test_optuna_mlflow_callback_nests_trials(
    mlflow: ModuleType, tracked: MltrailClient, live_server: LiveServer
) -> None:
    import optuna
    from optuna_integration.mlflow import MLflowCallback

    study = optuna.create_study(
        study_name=unique("optuna"), direction="minimize", sampler=optuna.samplers.RandomSampler(0)
    )
    callback = MLflowCallback(
        tracking_uri=live_server.url, metric_name="loss", mlflow_kwargs={"nested": True}
    )

    @callback.track_in_mlflow()
    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", -2.0, 2.0)
        optimizer = trial.suggest_categorical("optimizer", ["sgd", "adam"])
        trial.set_user_attr("note", f"trial {trial.number}")
        loss = (x - 1.0) ** 2 + (0.5 if optimizer == "sgd" else 0.0)
        for step in range(3):  # inside the trial's run, as the decorator allows
            mlflow.log_metric("partial_loss", loss * (3 - step), step=step)
        return loss

    mlflow.set_experiment(study.study_name)  # the callback logs trials under the study's name
    with mlflow.start_run(run_name="search") as parent:
        study.optimize(objective, n_trials=3, callbacks=[callback])

    experiment = tracked.get_experiment_by_name(study.study_name)
    assert experiment is not None
    found = tracked.search_runs([experiment.experiment_id])
    runs = {r.info.run_name: r for r in found}
    assert len(found) == 4  # the decorator's run is the one the callback then completes
    assert set(runs) == {"search", "0", "1", "2"}
    assert runs["search"].info.run_id == parent.info.run_id
    assert runs["search"].info.status == "FINISHED"
    assert PARENT_RUN_ID_TAG not in runs["search"].data.tags

    for trial in study.trials:
        run = runs[str(trial.number)]
        assert run.info.run_id == trial.system_attrs["mlflow_run_id"]
        assert run.info.status == "FINISHED"
        assert run.data.tags[PARENT_RUN_ID_TAG] == parent.info.run_id
        assert run.data.params == {
            "x": str(trial.params["x"]),
            "optimizer": trial.params["optimizer"],
        }
        assert run.data.metrics["loss"] == trial.value
        assert history(tracked, run.info.run_id, "partial_loss") == [
            (step, trial.value * (3 - step)) for step in range(3)
        ]
        tags = run.data.tags
        assert tags["number"] == str(trial.number)
        assert tags["state"] == "COMPLETE"
        assert tags["direction"] == "MINIMIZE"
        assert tags["note"] == f"trial {trial.number}"
        assert tags["x_distribution"] == str(trial.distributions["x"])
        assert tags["optimizer_distribution"] == str(trial.distributions["optimizer"])
        assert tags["datetime_complete"] == str(trial.datetime_complete)

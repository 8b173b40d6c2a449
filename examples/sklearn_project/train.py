"""Train an ElasticNet on scikit-learn's bundled diabetes data and log it as a run.

Run it as a project (`mltrail run examples/sklearn_project -P alpha=0.5`): the launcher
creates the run and passes MLFLOW_RUN_ID, so everything below lands in that run. Run
directly (`python train.py`), it starts a run of its own.
"""

from __future__ import annotations

import argparse

from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

import mltrail
import mltrail.sklearn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    # Kept as the strings given, so they equal the parameters the project run logged.
    parser.add_argument("--alpha", default="0.01")
    parser.add_argument("--l1-ratio", default="0.5")
    parser.add_argument("--max-iter", default="1000")
    parser.add_argument("--test-size", default="0.25")
    args = parser.parse_args()

    features, target = load_diabetes(return_X_y=True, as_frame=True)
    x_train, x_test, y_train, y_test = train_test_split(
        features, target, test_size=float(args.test_size), random_state=42
    )
    with mltrail.start_run():
        mltrail.log_params(
            {
                "alpha": args.alpha,
                "l1_ratio": args.l1_ratio,
                "max_iter": args.max_iter,
                "test_size": args.test_size,
                "train_rows": len(x_train),
            }
        )
        model = ElasticNet(
            alpha=float(args.alpha),
            l1_ratio=float(args.l1_ratio),
            max_iter=int(args.max_iter),
            random_state=42,
        )
        model.fit(x_train, y_train)
        predicted = model.predict(x_test)
        mltrail.log_metrics(
            {
                "rmse": float(mean_squared_error(y_test, predicted) ** 0.5),
                "mae": float(mean_absolute_error(y_test, predicted)),
                "r2": float(r2_score(y_test, predicted)),
            }
        )
        # cloudpickle (MLflow's default format) saves fast; mltrail's default, skops, is the
        # safer choice for models you will load from sources you do not control.
        mltrail.sklearn.log_model(
            model,
            name="model",
            input_example=x_test.head(3),
            serialization_format=mltrail.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
        )


if __name__ == "__main__":
    main()

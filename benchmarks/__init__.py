"""Side-by-side speed harness: the same MLflow-API workloads timed under mltrail and MLflow."""

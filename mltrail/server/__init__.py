"""The tracking server: MLflow's REST API and artifact proxy on Starlette + uvicorn."""

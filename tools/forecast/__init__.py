"""Managers' forecast: win probabilities, quarter forecasts with ranges, risk flags, backtests and typed
pipeline questions. ``service.Forecaster`` is the entry point; ``pipeline.pipeline_query`` the agent tool."""

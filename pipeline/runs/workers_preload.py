"""Imported by the worker fork server (pipeline/runs/workers.py): build the pipeline once, before any
worker is forked from it."""
from pipeline.runs.workers import warm

warm()

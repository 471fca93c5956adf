"""Imported by the worker fork server (pipeline/workers.py): build the pipeline once, before any
worker is forked from it."""
from pipeline.workers import warm

warm()

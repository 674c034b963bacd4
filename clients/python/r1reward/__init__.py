"""Clients of the r1-reward service and drop-in reward functions for RL trainers."""
from .client import Client, RewardServiceError
from .code_tasks import code_task
from .labels import label_to_task

__all__ = ["Client", "RewardServiceError", "code_task", "label_to_task"]
__version__ = "0.1.0"

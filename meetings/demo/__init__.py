"""A realistic demo tenant (`manage.py seed_demo`)."""

from meetings.demo.seed import seed_demo

__all__ = ["seed_demo"]

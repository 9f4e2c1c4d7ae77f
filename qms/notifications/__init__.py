"""Reminders and notifications: in-app (a bell) and email, one message per due item."""

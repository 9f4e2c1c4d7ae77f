"""Corrective and preventive action (CAPA): nonconformities, root causes, actions."""

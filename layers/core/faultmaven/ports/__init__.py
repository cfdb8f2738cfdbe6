"""Ports: the small typed interfaces through which the domain reaches storage and services."""

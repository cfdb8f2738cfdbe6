"""The stack's building blocks, one concern per module."""

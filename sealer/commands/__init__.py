"""Command bodies that need no CLI parser (so the hot path can skip click)."""

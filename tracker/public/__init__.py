"""The public, read-only site: published positions only, never drafts or flags."""

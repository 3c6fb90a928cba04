"""Evaluation and learning: the funnel per segment, channel and partner."""

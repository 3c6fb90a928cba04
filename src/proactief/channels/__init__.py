"""Channels: how a message reaches a person (letter as PDF; more channels in later work)."""

"""Citizen control and trust: purposes and purpose-bound reads, preferences and consent,
the one message door, the audit log, retention, and the BSN vault with its pseudonyms."""

"""Tailored proactive offers: the approach engine, messages and their checks, the contact
ladder (outreach), the typing questionnaire and campaign checks."""

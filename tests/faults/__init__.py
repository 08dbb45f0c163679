"""The fault suite (issue 10): real processes and services, killed for real."""

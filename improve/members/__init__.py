"""Membership of teams and collaboratives, shared by the teams and collaboratives features."""

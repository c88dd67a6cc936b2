"""Metrics: business figures computed from the canonical tables (monthly metrics, funnel, CLV, SLA, goals, budget)."""

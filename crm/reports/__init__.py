"""Dashboards for managers: plotly charts, a table and a CSV of each."""

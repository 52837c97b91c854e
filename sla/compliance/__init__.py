"""Compliance: how well each side keeps the SLA, from daily rollups plus a live today.

`figures` holds the mergeable cells and the arithmetic (pure); `report` reads the rollups and
builds what the API and the dashboard show; `periods` parses the query parameters.
"""

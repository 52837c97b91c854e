"""The one definition of the funnel's figures: every report, goal and SLA term counts
through here (see `definitions` for what each figure is, `figures` for the counting)."""

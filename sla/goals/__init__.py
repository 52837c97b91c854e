"""Shared goals: targets both teams sign for a month or a quarter, scored against the funnel.

`metrics` is the one table of what can be a goal and how its target and actual are read;
`status` decides on_track | at_risk | met | missed; `services` writes (create, sign);
`selectors` reads (the list, the scoreboard); `api` and `views` are thin.
"""

"""Calendar invitations of meetings: iCalendar built with the `icalendar` library, e-mailed
to attendees, downloaded, and served as each person's subscribable feed."""

"""Who gets an SQL: routing modes, rules by territory, industry or persona, teams, away reps."""

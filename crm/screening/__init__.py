"""Export-control screening: lists, screenings, hits and decisions."""

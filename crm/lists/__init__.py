"""Lists people can keep: saved views (a name for a list's filters and sort) and bulk actions
on the rows ticked on a list page."""

"""Running Kakehashi in production: the server (`crm serve`), health checks (/healthz, /readyz),
request logs, and backups (`crm backup`, `crm restore`)."""

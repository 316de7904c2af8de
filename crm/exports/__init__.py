"""Partner-list exports (CSV, xlsx, vCard) of filtered company and contact lists."""

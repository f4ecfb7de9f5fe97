"""Static pages (candidate, HR, login), their scripts, styles and translation catalogs."""

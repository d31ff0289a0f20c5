"""The JSON API for councils' case-management systems (Mosaic, LAS, Eclipse): referrals in,
outcomes out, under /api/v1/ (docs/api.md)."""

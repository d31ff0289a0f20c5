"""The web pages, one module per area: home, packages, referrals, gates, batch, waiting."""

from carebroker.web.views.home import ON_HOLD_SHOWN, REFERRALS_SHOWN, home

__all__ = ["ON_HOLD_SHOWN", "REFERRALS_SHOWN", "home"]

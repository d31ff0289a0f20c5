"""Forms in GOV.UK words: say what to do ("Enter your username"), never "please" or "invalid"."""

from carebroker.web.forms.signin import SignInForm

__all__ = ["SignInForm"]

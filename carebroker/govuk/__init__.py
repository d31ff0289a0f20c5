"""GOV.UK Frontend form fields for Django, shared by `web` and `portal` (which may not import
each other): `forms.GovukForm` and its field template `web/includes/field.html`."""

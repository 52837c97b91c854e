"""Country codes for lead fields: the core's one list (smarketing.countries)."""

from smarketing.countries import country_names, is_country_code

__all__ = ["country_names", "is_country_code"]

"""The team as sales routing sees it: members with their role, availability and capacity.

Roles and deactivation belong to the tenancy core; capacity belongs to routing. This package
joins the two for the members endpoint and page, and owns the rejection reasons' settings.
"""

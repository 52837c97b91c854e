"""The home page of a tenant (`/t/<slug>/`): what needs the member now, as tiles per role.

The core renders the tiles; the apps contribute them (`tiles.register_tile` in their
`AppConfig.ready`), so the core imports no app.
"""
